// Command vulnapp is the vulnerability fixture: a tiny program built with
// golang.org/x/text v0.3.7, which CVE-2022-32149 (GHSA-69ch-w2m2-3vjp,
// HIGH, fixed in v0.3.8) affects: ParseAcceptLanguage takes quadratic time
// on crafted input. The scan of its image must find that advisory.
package main

import (
	"fmt"
	"os"

	"golang.org/x/text/language"
)

func main() {
	tags, _, err := language.ParseAcceptLanguage(os.Getenv("LANGS"))
	fmt.Println(tags, err)
}
