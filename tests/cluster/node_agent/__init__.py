"""Simulated kubelet for the local test cluster (the only simulated component).

Runs the pods bound to one Node as host processes in private mount namespaces,
reports their status to the real apiserver and serves their logs over the
kubelet API. See tests/cluster/README.md.
"""
