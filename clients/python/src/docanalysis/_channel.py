"""Channel construction shared by Client and AsyncClient: service config (retries, round-robin, deadline),
credentials (plaintext or TLS, optionally mutual) and channel options.

Retries are done by gRPC itself from the service config: a call that fails with UNAVAILABLE (a replica going
away, a connection refused) is retried with exponential backoff on the next address, up to `max_attempts`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, List, Optional, Sequence, Tuple

import grpc

SERVICE = "docanalysis.v1.DocumentAnalysis"


@dataclass(frozen=True)
class ChannelConfig:
    """How to reach the service.

    target: a gRPC target: "host:port", "dns:///name:port" (every A/AAAA record is used), or a static list
      such as "ipv4:127.0.0.1:7001,127.0.0.1:7002".
    tls: use TLS (implied by any of the certificates below). root_certificates (PEM bytes) defaults to the system roots; private_key and certificate_chain
      (PEM bytes) turn on mutual TLS. server_name overrides the name checked against the server certificate.
    max_attempts: attempts per call (1 = no retry); only UNAVAILABLE is retried.
    round_robin: spread calls over every resolved address instead of sticking to the first one.
    """
    target: str
    tls: bool = False
    root_certificates: Optional[bytes] = None
    private_key: Optional[bytes] = None
    certificate_chain: Optional[bytes] = None
    server_name: Optional[str] = None
    max_attempts: int = 4
    round_robin: bool = True
    extra_options: Sequence[Tuple[str, Any]] = field(default_factory=tuple)

    def service_config(self) -> str:
        config: dict = {}
        if self.round_robin:
            config["loadBalancingConfig"] = [{"round_robin": {}}]
        if self.max_attempts > 1:
            config["methodConfig"] = [{
                "name": [{"service": SERVICE}],
                "retryPolicy": {
                    "maxAttempts": min(self.max_attempts, 5),  # gRPC caps attempts at 5
                    "initialBackoff": "0.1s",
                    "maxBackoff": "2s",
                    "backoffMultiplier": 2,
                    "retryableStatusCodes": ["UNAVAILABLE"],
                },
            }]
        return json.dumps(config)

    def options(self) -> List[Tuple[str, Any]]:
        opts: List[Tuple[str, Any]] = [("grpc.service_config", self.service_config()),
                ("grpc.enable_retries", 1 if self.max_attempts > 1 else 0),
                # Responses for long documents can be large.
                ("grpc.max_receive_message_length", 64 * 1024 * 1024),
                ("grpc.max_send_message_length", 64 * 1024 * 1024)]
        if self.server_name:
            opts.append(("grpc.ssl_target_name_override", self.server_name))
        opts.extend(self.extra_options)
        return opts

    def credentials(self) -> grpc.ChannelCredentials:
        return grpc.ssl_channel_credentials(root_certificates=self.root_certificates,
                                            private_key=self.private_key,
                                            certificate_chain=self.certificate_chain)

    @property
    def use_tls(self) -> bool:
        """TLS when asked for, and whenever certificates are given: CA roots or a client certificate without
        tls=True used to fall back to plaintext silently."""
        return self.tls or any(x is not None for x in (self.root_certificates, self.private_key,
                                                       self.certificate_chain))

    def sync_channel(self) -> grpc.Channel:
        if self.use_tls:
            return grpc.secure_channel(self.target, self.credentials(), options=self.options())
        return grpc.insecure_channel(self.target, options=self.options())

    def aio_channel(self) -> "grpc.aio.Channel":
        if self.use_tls:
            return grpc.aio.secure_channel(self.target, self.credentials(), options=self.options())
        return grpc.aio.insecure_channel(self.target, options=self.options())
