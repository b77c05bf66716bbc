// greeter is a module with an internal package, built by a bare `go build`:
// the binary is named after the module path.
package main

import (
	"flag"
	"fmt"
	"os"

	"example.com/tools/greeter/internal/greet"
)

func main() {
	name := flag.String("name", "world", "who to greet")
	loud := flag.Bool("loud", false, "shout")
	flag.Parse()
	greeting := os.Getenv("GREETING")
	if greeting == "" {
		greeting = "Hi"
	}
	fmt.Println(greet.Line(greeting, *name, *loud))
}
