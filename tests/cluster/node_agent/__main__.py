"""Entry point: ``python -m node_agent --kubeconfig ... --port ...`` (cwd tests/cluster)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path
from types import FrameType

from .agent import NodeAgent, ensure_root


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="node_agent", description=__doc__)
    p.add_argument("--kubeconfig", required=True)
    p.add_argument("--node-name", default="local-node")
    p.add_argument("--state-dir", type=Path, required=True)
    p.add_argument("--port", type=int, required=True, help="HTTPS port of the kubelet API")
    p.add_argument("--tls-cert", required=True)
    p.add_argument("--tls-key", required=True)
    p.add_argument(
        "--client-ca", required=True, help="CA that signs the apiserver's kubelet client cert"
    )
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s",
    )
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    ensure_root()
    agent = NodeAgent(
        args.kubeconfig,
        args.node_name,
        args.state_dir.resolve(),
        args.port,
        args.tls_cert,
        args.tls_key,
        args.client_ca,
    )

    def on_term(signum: int, frame: FrameType | None) -> None:
        logging.info("signal %d: stopping containers and exiting", signum)
        agent.shutdown()
        sys.exit(0)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    agent.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
