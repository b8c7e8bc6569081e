#!/usr/bin/env python3
"""The Centrifugo peer's configuration and connection token.

    bench/centrifugo.py config PORT memory|redis REDIS_PORT HMAC_SECRET API_KEY   > config.json
    bench/centrifugo.py token HMAC_SECRET                                          > JWT

Clients authenticate with a connection JWT (HS256, the HMAC secret below), not in insecure mode,
so that Centrifugo checks every connection as CollabDev+ checks its session token. Channels
without a namespace may be subscribed by any authenticated client; no history, no presence.
"""
import base64
import hashlib
import hmac
import json
import sys
import time


def config(port, engine, redis_port, secret, api_key):
    c = {
        "http_server": {"address": "127.0.0.1", "port": int(port)},
        "log": {"level": "warn"},
        "client": {
            "token": {"hmac_secret_key": secret},
            "allowed_origins": ["http://127.0.0.1"],
        },
        "channel": {"without_namespace": {"allow_subscribe_for_client": True}},
        "http_api": {"key": api_key},
        "usage_stats": {"disabled": True},
    }
    if engine == "redis":
        c["engine"] = {"type": "redis", "redis": {"address": [f"redis://127.0.0.1:{redis_port}"]}}
    return c


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(secret):
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = b64(json.dumps({"sub": "bench", "exp": int(time.time()) + 3 * 3600}).encode())
    signature = hmac.new(secret.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
    return f"{header}.{claims}.{b64(signature)}"


if __name__ == "__main__":
    if sys.argv[1] == "config":
        print(json.dumps(config(*sys.argv[2:7]), indent=2))
    else:
        print(token(sys.argv[2]))
