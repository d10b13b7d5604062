package io.docanalysis.client;

import io.docanalysis.v1.EncodingType;
import java.io.File;
import java.time.Duration;
import java.util.Objects;

/**
 * How a client reaches the docanalysis service: the target, the default deadline, retries, TLS and the
 * offset encoding of requests it builds. Immutable and thread-safe; build one with {@link #forTarget}.
 *
 * <pre>{@code
 * ClientConfig config = ClientConfig.forTarget("ipv4:10.0.0.1:50051,10.0.0.2:50051")
 *     .timeout(Duration.ofSeconds(10))
 *     .build();
 * }</pre>
 *
 * <p>The target is any gRPC target: {@code host:port} (DNS; calls are balanced round-robin over every
 * address it resolves to), {@code dns:///host:port}, or a fixed list {@code ipv4:IP:PORT,IP:PORT} /
 * {@code ipv6:[IP]:PORT,...}. A plain comma list {@code host1:port,host2:port} is taken as a fixed list.
 */
public final class ClientConfig {
  /** Deadline of a call when none is given. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  /** Tries in all of a call that fails with UNAVAILABLE. */
  public static final int DEFAULT_MAX_ATTEMPTS = 4;

  private final String target;
  private final Duration timeout;
  private final int maxAttempts;
  private final boolean tls;
  private final File trustCertCollection;
  private final File clientCertChain;
  private final File clientPrivateKey;
  private final String authorityOverride;
  private final EncodingType encoding;

  private ClientConfig(Builder b) {
    this.target = b.target;
    this.timeout = b.timeout;
    this.maxAttempts = b.maxAttempts;
    this.tls = b.tls;
    this.trustCertCollection = b.trustCertCollection;
    this.clientCertChain = b.clientCertChain;
    this.clientPrivateKey = b.clientPrivateKey;
    this.authorityOverride = b.authorityOverride;
    this.encoding = b.encoding;
  }

  /** Starts a configuration for {@code target}. */
  public static Builder forTarget(String target) {
    return new Builder(target);
  }

  public String target() {
    return target;
  }

  /** The deadline of unary calls; {@code null} or zero means none. */
  public Duration timeout() {
    return timeout;
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public boolean tls() {
    return tls;
  }

  /** PEM file of the certificates to trust, or {@code null} for the system's. */
  public File trustCertCollection() {
    return trustCertCollection;
  }

  /** PEM certificate chain presented to the server (mutual TLS), or {@code null}. */
  public File clientCertChain() {
    return clientCertChain;
  }

  /** PEM (PKCS#8) private key of {@link #clientCertChain()}, or {@code null}. */
  public File clientPrivateKey() {
    return clientPrivateKey;
  }

  public String authorityOverride() {
    return authorityOverride;
  }

  /** The offset encoding of requests the client builds from text (UTF-16 code units: Java strings). */
  public EncodingType encoding() {
    return encoding;
  }

  /** Builder of {@link ClientConfig}; not thread-safe. */
  public static final class Builder {
    private final String target;
    private Duration timeout = DEFAULT_TIMEOUT;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private boolean tls;
    private File trustCertCollection;
    private File clientCertChain;
    private File clientPrivateKey;
    private String authorityOverride;
    private EncodingType encoding = EncodingType.UTF16;

    private Builder(String target) {
      this.target = Objects.requireNonNull(target, "target");
      if (target.isEmpty()) {
        throw new IllegalArgumentException("empty target");
      }
    }

    /** Deadline of each unary call (default 30 s); {@code null} or zero: no deadline. */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** Tries in all of a call failing with UNAVAILABLE (default 4, capped at 5 by gRPC); 1: no retry. */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1");
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** Connects with TLS, trusting the system's certificates. */
    public Builder useTls() {
      this.tls = true;
      return this;
    }

    /** Connects with TLS, trusting the PEM certificates in {@code file}. */
    public Builder trustCertCollection(File file) {
      this.tls = true;
      this.trustCertCollection = file;
      return this;
    }

    /** Mutual TLS: presents the PEM certificate chain and private key to the server (implies TLS). */
    public Builder clientCertificate(File certChain, File privateKey) {
      this.tls = true;
      this.clientCertChain = Objects.requireNonNull(certChain);
      this.clientPrivateKey = Objects.requireNonNull(privateKey);
      return this;
    }

    /** The name checked against the server certificate, when it differs from the target's host. */
    public Builder authorityOverride(String authority) {
      this.authorityOverride = authority;
      return this;
    }

    /** Offset encoding of requests built from text (default UTF16). */
    public Builder encoding(EncodingType encoding) {
      this.encoding = Objects.requireNonNull(encoding);
      return this;
    }

    public ClientConfig build() {
      return new ClientConfig(this);
    }
  }
}
