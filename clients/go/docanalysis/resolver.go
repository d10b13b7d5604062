package docanalysis

import (
	"fmt"
	"net"
	"strings"

	"google.golang.org/grpc/resolver"
)

// staticResolverBuilder resolves targets that list their addresses, "ipv4:10.0.0.1:50051,10.0.0.2:50051"
// (the gRPC naming of C-core, Java's and Python's clients, which grpc-go lacks), so that the same target
// string works in every client. The list is fixed for the life of the channel.
type staticResolverBuilder struct{ scheme string }

func (b staticResolverBuilder) Scheme() string { return b.scheme }

func (b staticResolverBuilder) Build(t resolver.Target, cc resolver.ClientConn, _ resolver.BuildOptions) (resolver.Resolver, error) {
	list := t.URL.Opaque
	if list == "" {
		list = strings.TrimPrefix(t.URL.Host+t.URL.Path, "/")
	}
	var addrs []resolver.Address
	for _, a := range strings.Split(list, ",") {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		host, port, err := net.SplitHostPort(a)
		if err != nil {
			return nil, fmt.Errorf("docanalysis: bad address %q in target: %w", a, err)
		}
		if b.scheme != "static" && net.ParseIP(host) == nil {
			return nil, fmt.Errorf("docanalysis: %q in an %s: target is not an IP address", host, b.scheme)
		}
		addrs = append(addrs, resolver.Address{Addr: net.JoinHostPort(host, port)})
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("docanalysis: no address in target %q", t.URL.String())
	}
	if err := cc.UpdateState(resolver.State{Addresses: addrs}); err != nil {
		return nil, err
	}
	return staticResolver{}, nil
}

type staticResolver struct{}

func (staticResolver) ResolveNow(resolver.ResolveNowOptions) {}
func (staticResolver) Close()                                {}
