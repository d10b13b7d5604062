package io.docanalysis.client;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.NameResolverRegistry;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Resolves targets that list their addresses, {@code ipv4:10.0.0.1:50051,10.0.0.2:50051} (the naming
 * of gRPC C-core, which grpc-java lacks), {@code ipv6:[::1]:50051,...} and {@code
 * static:host1:50051,host2:50051}, so that one target string works in every docanalysis client. The
 * list is fixed for the life of the channel. Thread-safe.
 */
final class StaticAddressNameResolverProvider extends NameResolverProvider {
  static final String STATIC_SCHEME = "static";

  private final String scheme;

  private StaticAddressNameResolverProvider(String scheme) {
    this.scheme = scheme;
  }

  /** Registers providers for the three schemes in {@code registry}, unless one exists already. */
  static synchronized void registerOnce(NameResolverRegistry registry) {
    for (String s : List.of("ipv4", "ipv6", STATIC_SCHEME)) {
      if (registry.getProviderForScheme(s) == null) {
        registry.register(new StaticAddressNameResolverProvider(s));
      }
    }
  }

  @Override
  protected boolean isAvailable() {
    return true;
  }

  @Override
  protected int priority() {
    return 5;
  }

  @Override
  public String getDefaultScheme() {
    return scheme;
  }

  @Override
  public String getScheme() {
    return scheme;
  }

  @Override
  public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
    return List.of(InetSocketAddress.class);
  }

  @Override
  public NameResolver newNameResolver(URI uri, NameResolver.Args args) {
    if (!scheme.equals(uri.getScheme())) {
      return null;
    }
    String list = uri.getSchemeSpecificPart();
    if (list.startsWith("//")) {
      list = list.substring(2);
    }
    if (list.startsWith("/")) {
      list = list.substring(1);
    }
    List<InetSocketAddress> addresses = new ArrayList<>();
    for (String a : list.split(",")) {
      a = a.trim();
      if (a.isEmpty()) {
        continue;
      }
      int colon = a.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("address without port in target: " + a);
      }
      String host = a.substring(0, colon);
      int port = Integer.parseInt(a.substring(colon + 1));
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      if (!scheme.equals(STATIC_SCHEME) && !isIpLiteral(host)) {
        throw new IllegalArgumentException(host + " in an " + scheme + ": target is not an IP address");
      }
      addresses.add(new InetSocketAddress(host, port));
    }
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("no address in target " + uri);
    }
    String authority = list.split(",")[0].trim();
    return new NameResolver() {
      @Override
      public String getServiceAuthority() {
        return authority;
      }

      @Override
      public void start(Listener2 listener) {
        List<EquivalentAddressGroup> groups = new ArrayList<>();
        for (InetSocketAddress a : addresses) {
          if (a.isUnresolved()) {
            listener.onError(Status.UNAVAILABLE.withDescription("cannot resolve " + a.getHostString()));
            return;
          }
          groups.add(new EquivalentAddressGroup(a));
        }
        listener.onResult(ResolutionResult.newBuilder().setAddresses(groups).build());
      }

      @Override
      public void shutdown() {}
    };
  }

  private static boolean isIpLiteral(String host) {
    return host.matches("[0-9.]+") || host.contains(":");
  }
}
