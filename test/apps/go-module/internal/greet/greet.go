// Package greet builds greetings.
package greet

import "strings"

// Line greets name, in upper case when loud.
func Line(greeting, name string, loud bool) string {
	s := greeting + ", " + name + "!"
	if loud {
		return strings.ToUpper(s)
	}
	return s
}
