// Package doccheck holds the tests that keep the repository's Markdown
// documents true to the code: every exported name they cite as
// `pkg.Name` exists, and every default they state for an option is the one
// written in that option's doc comment; every table is whole (a blank line
// inside one makes Markdown print its rows as text), and every option an
// option table lists exists; every link into the repository leads to a
// file, and to a heading of it when it names one. It has no API.
package doccheck
