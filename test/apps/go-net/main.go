// gonet talks TCP to itself and resolves localhost: it uses package net, so a
// default (cgo) build links glibc and cannot start in scratch.
package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("listen:", err)
		os.Exit(1)
	}
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		buf := make([]byte, 4)
		n, _ := c.Read(buf)
		c.Write([]byte("pong:" + string(buf[:n])))
		c.Close()
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		fmt.Println("dial:", err)
		os.Exit(1)
	}
	c.Write([]byte("ping"))
	reply := make([]byte, 16)
	n, _ := c.Read(reply)
	addrs, err := net.LookupHost("localhost")
	loopback := false
	for _, a := range addrs {
		if a == "127.0.0.1" {
			loopback = true
		}
	}
	fmt.Printf("gonet: %s, localhost is loopback: %v (lookup error: %v)\n", reply[:n], loopback, err != nil)
}
