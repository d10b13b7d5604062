package docanalysis_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/docanalysis/docanalysis/clients/go/internal/testserver"
)

// target is the live server every test talks to (see testserver.Target).
var target string

func TestMain(m *testing.M) {
	t, stop, err := testserver.Target()
	if err != nil {
		fmt.Fprintln(os.Stderr, "docanalysis tests:", err)
		os.Exit(1)
	}
	target = t
	code := m.Run()
	stop()
	os.Exit(code)
}
