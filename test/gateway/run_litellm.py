"""Runs LiteLLM's proxy for the gateway tests: its command line is this
script's arguments (`--config <file> --host 127.0.0.1 --port <port>`).

The proxy must not outlive the tests: a thread stops the whole process group
(the proxy and the stdio MCP servers it started) when the process that started
this one is gone, or when GATEWAY_TEST_TTL_SECONDS (default 900) are over.
Started as the leader of its own process group (node's `detached`).
"""
import os
import signal
import sys
import threading
import time


def _stop_group() -> None:
    group = os.getpgid(0)
    os.killpg(group, signal.SIGTERM)
    time.sleep(5)
    os.killpg(group, signal.SIGKILL)


def _watch(owner: int, deadline: float) -> None:
    while os.getppid() == owner and time.monotonic() < deadline:
        time.sleep(0.5)
    try:
        print("run_litellm: owner gone or time to live over, stopping", file=sys.stderr, flush=True)
    except OSError:
        pass  # the owner held the other end of stderr: gone with it
    _stop_group()


def main() -> None:
    ttl = float(os.environ.get("GATEWAY_TEST_TTL_SECONDS", "900"))
    threading.Thread(target=_watch, args=(os.getppid(), time.monotonic() + ttl), daemon=True).start()
    from litellm.proxy.proxy_cli import run_server  # noqa: PLC0415  # after the watchdog: the import takes seconds

    sys.argv = ["litellm", *sys.argv[1:]]
    run_server()


if __name__ == "__main__":
    main()
