package tinypay_test

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The guide's code is this module's code: every Go block of
// docs/writing-an-adapter.md is marked as a template,
//
//	<!-- template: examples/tinypay/driver.go -->
//
// on the line before its opening fence (a JSON block may be marked too), and
// must appear in the file it names exactly as the guide shows it, so that
// the guide cannot drift from code that compiles and passes the suite.
var templateMark = regexp.MustCompile(`^<!-- template: (\S+) -->$`)

const guide = "docs/writing-an-adapter.md"

func TestGuideQuotesTheTemplate(t *testing.T) {
	root := filepath.Join("..", "..")
	doc, err := os.ReadFile(filepath.Join(root, guide))
	if err != nil {
		t.Fatal(err)
	}
	var (
		mark, lang string // the last template mark seen; the open block's language
		block      strings.Builder
		in         bool
		quoted     int
	)
	sc := bufio.NewScanner(bytes.NewReader(doc))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case !in && strings.HasPrefix(line, "```"):
			in, lang = true, strings.TrimPrefix(line, "```")
			block.Reset()
			if lang == "go" && mark == "" {
				t.Errorf("%s:%d: a Go block without a template mark: quote examples/tinypay instead", guide, n)
			}
		case in && line == "```":
			in = false
			if mark != "" {
				quoted++
				file, err := os.ReadFile(filepath.Join(root, mark))
				if err != nil {
					t.Errorf("%s:%d: %v", guide, n, err)
				} else if !strings.Contains(string(file), block.String()) {
					t.Errorf("%s:%d: the %s block is not in %s as shown: update the guide or the file so that they agree", guide, n, lang, mark)
				}
			}
			mark = ""
		case in:
			block.WriteString(line + "\n")
		case templateMark.MatchString(line):
			mark = templateMark.FindStringSubmatch(line)[1]
		case strings.TrimSpace(line) != "":
			mark = ""
		}
	}
	if in {
		t.Errorf("%s: a code block is not closed", guide)
	}
	if quoted == 0 {
		t.Errorf("%s quotes nothing of examples/tinypay", guide)
	}
}
