package main

import "testing"

func TestGreeting(t *testing.T) {
	if got := greeting(""); got != "hello, world\n" {
		t.Fatalf("greeting(\"\") = %q", got)
	}
	if got := greeting("docker"); got != "hello, docker\n" {
		t.Fatalf("greeting(\"docker\") = %q", got)
	}
}
