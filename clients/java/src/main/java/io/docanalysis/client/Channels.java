package io.docanalysis.client;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.NameResolverRegistry;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * Builds the gRPC channel of a client: round-robin over every address of the target and retries of
 * calls that fail with UNAVAILABLE, both through the gRPC service config. Thread-safe.
 */
public final class Channels {
  /** The gRPC service name the method config applies to. */
  public static final String SERVICE = "docanalysis.v1.DocumentAnalysis";

  private static final int MAX_MESSAGE_BYTES = 64 << 20;

  static {
    StaticAddressNameResolverProvider.registerOnce(NameResolverRegistry.getDefaultRegistry());
  }

  private Channels() {}

  /**
   * The service config: {@code round_robin}, and a retry policy for UNAVAILABLE with {@code
   * maxAttempts} tries (none when 1). Numbers are Doubles, as gRPC's JSON parser expects.
   */
  public static Map<String, Object> serviceConfig(int maxAttempts) {
    Map<String, Object> method;
    List<Map<String, Object>> name = List.of(Map.of("service", SERVICE));
    if (maxAttempts > 1) {
      Map<String, Object> retry =
          Map.of(
              "maxAttempts", (double) maxAttempts,
              "initialBackoff", "0.1s",
              "maxBackoff", "2s",
              "backoffMultiplier", 2.0,
              "retryableStatusCodes", List.of("UNAVAILABLE"));
      method = Map.of("name", name, "retryPolicy", retry);
    } else {
      method = Map.of("name", name);
    }
    return Map.of(
        "loadBalancingConfig", List.of(Map.of("round_robin", Map.of())),
        "methodConfig", List.of(method));
  }

  /** A new channel for {@code config}; the caller owns it and must shut it down. */
  public static ManagedChannel newChannel(ClientConfig config) {
    ChannelCredentials creds = InsecureChannelCredentials.create();
    if (config.tls()) {
      TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
      if (config.trustCertCollection() != null) {
        try {
          tls.trustManager(config.trustCertCollection());
        } catch (IOException e) {
          throw new UncheckedIOException("reading " + config.trustCertCollection(), e);
        }
      }
      if (config.clientCertChain() != null) {
        try {
          tls.keyManager(config.clientCertChain(), config.clientPrivateKey());
        } catch (IOException e) {
          throw new UncheckedIOException("reading " + config.clientCertChain(), e);
        }
      }
      creds = tls.build();
    }
    String target = config.target();
    if (!target.contains(":/")
        && !target.startsWith("ipv4:")
        && !target.startsWith("ipv6:")
        && target.contains(",")) {
      target = StaticAddressNameResolverProvider.STATIC_SCHEME + ":" + target;
    }
    ManagedChannelBuilder<?> b =
        Grpc.newChannelBuilder(target, creds)
            .defaultServiceConfig(serviceConfig(config.maxAttempts()))
            .enableRetry()
            .maxInboundMessageSize(MAX_MESSAGE_BYTES);
    if (config.authorityOverride() != null) {
      b.overrideAuthority(config.authorityOverride());
    }
    return b.build();
  }
}
