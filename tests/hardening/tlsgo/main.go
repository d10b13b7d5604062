// tls-check: connects to a docanalysis server with the Go client over TLS (with a client
// certificate for mTLS when given), analyzes one sentence and prints the entity names.
// Exit 0 on success, 1 when the call fails. Used by tests/hardening/test_tls.py.
//
//	go run . --target 127.0.0.1:PORT --ca ca.pem [--cert cli.pem --key cli.key] [--server-name localhost]
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/docanalysis/docanalysis/clients/go/docanalysis"
)

func main() {
	target := flag.String("target", "", "HOST:PORT")
	ca := flag.String("ca", "", "PEM of the CA that signed the server's certificate")
	cert := flag.String("cert", "", "client certificate (mTLS)")
	key := flag.String("key", "", "client key (mTLS)")
	serverName := flag.String("server-name", "localhost", "name to check in the server's certificate")
	flag.Parse()
	pem, err := os.ReadFile(*ca)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	cfg := &tls.Config{RootCAs: roots, ServerName: *serverName}
	if *cert != "" {
		pair, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	c, err := docanalysis.New(*target, docanalysis.WithTLS(cfg), docanalysis.WithMaxAttempts(1))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := c.Analyze(ctx, "Kurt M. Campbell met officials in Niamey.")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, e := range resp.GetEntities() {
		fmt.Println(e.GetName())
	}
}
