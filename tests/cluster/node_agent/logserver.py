"""The kubelet's HTTPS API, as far as the apiserver needs it for logs.

``kubectl logs`` and ``read_namespaced_pod_log`` go to the apiserver, which
connects here (``daemonEndpoints.kubeletEndpoint.Port`` on the node's
InternalIP) with its ``--kubelet-client-certificate`` and verifies our serving
certificate against ``--kubelet-certificate-authority``. Log requests must carry
a client certificate signed by the cluster CA; ``/healthz`` is open.
exec/attach/portForward answer 501.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from .logfile import LogQuery, parse_time, stream
from .podworker import LogEntry

log = logging.getLogger(__name__)

# (namespace, pod, container) -> LogEntry, or None if the pod is unknown here.
Lookup = Callable[[str, str, str], "LogEntry | str | None"]


def parse_query(qs: str) -> LogQuery:
    q = {k: v[-1] for k, v in parse_qs(qs).items()}

    def truthy(k: str) -> bool:
        return q.get(k, "false").lower() in ("true", "1")

    since = None
    if q.get("sinceTime"):
        since = parse_time(q["sinceTime"])
    elif q.get("sinceSeconds"):
        since = time.time() - int(q["sinceSeconds"])
    return LogQuery(
        follow=truthy("follow"),
        timestamps=truthy("timestamps"),
        tail_lines=int(q["tailLines"]) if q.get("tailLines") else None,
        since=since,
        limit_bytes=int(q["limitBytes"]) if q.get("limitBytes") else None,
    )


class Handler(BaseHTTPRequestHandler):
    server_version = "node-agent"
    lookup: Lookup

    def log_message(self, fmt: str, *args: object) -> None:
        log.debug("%s " + fmt, self.address_string(), *args)

    def _plain(self, code: int, text: str) -> None:
        body = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        """exec/attach/portForward arrive as POST upgrade requests: refuse them clearly."""
        kind = urlsplit(self.path).path.strip("/").split("/")[0]
        self._plain(501, f"{kind} is not supported by the local node agent (only containerLogs)")

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        parts = [unquote(p) for p in url.path.strip("/").split("/")]
        if parts == ["healthz"]:
            return self._plain(200, "ok")
        if parts[0] in ("exec", "attach", "portForward", "run"):
            return self._plain(
                501, f"{parts[0]} is not supported by the local node agent (only containerLogs)"
            )
        if parts[0] != "containerLogs" or len(parts) != 4:
            return self._plain(404, f"not found: {url.path}")
        if not self.connection.getpeercert():
            return self._plain(
                401, "Unauthorized: a client certificate signed by the cluster CA is required"
            )
        _, ns, pod, ctr = parts
        entry = type(self).lookup(ns, pod, ctr)
        if entry is None:
            return self._plain(404, f'pod "{pod}" in namespace "{ns}" is not running on this node')
        if isinstance(entry, str):
            return self._plain(400, entry)
        if not entry.started:
            return self._plain(
                400, f'container "{ctr}" in pod "{pod}" is waiting to start: ContainerCreating'
            )
        try:
            q = parse_query(url.query)
        except ValueError as e:
            return self._plain(400, f"bad log query: {e}")
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for chunk in stream(str(entry.path), q, entry.finished.is_set):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass  # client went away (e.g. stopped following)
        self.close_connection = True


def serve(port: int, cert: str, key: str, client_ca: str, lookup: Lookup) -> ThreadingHTTPServer:
    """Start the HTTPS server in a daemon thread and return it."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.load_verify_locations(client_ca)
    ctx.verify_mode = ssl.CERT_OPTIONAL
    handler = type(
        "BoundHandler", (Handler,), {"lookup": staticmethod(lookup), "protocol_version": "HTTP/1.1"}
    )
    httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
    httpd.daemon_threads = True
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, name="kubelet-api", daemon=True).start()
    return httpd
