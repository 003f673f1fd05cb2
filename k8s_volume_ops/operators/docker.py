"""`DockerOperator` for Kubernetes: the same arguments, run as a pod.

It builds on KubernetesPodOperator. Docker-shaped arguments are kept as given and
templated as DockerOperator templates them; in `execute()`, after Jinja rendering,
they are translated (`podplan`), the claims and Secrets the pod needs are ensured
(`apply`), and KPO runs the pod. XCom, exit codes and skips follow DockerOperator:
the last log line is pushed by default, `skip_on_exit_code` is tested before the
zero test, and a failure reports the exit code and the last log lines.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Sequence
from typing import Any

from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator

from .. import apply
from ..podplan import DockerArgs, PodPlan, plan_pod
from ..podsecurity import check_pod_security, harden, run_as_root_note
from ..policy import POLICY_CONFIGMAP_ENV, POLICY_ENV, StoragePolicy, load_policy
from ..retrieve_output import RETRIEVE_CONTAINER
from ..xcom import log_lines, output_file_bytes, xcom_value
from ._arguments import AUTO_REMOVE, checked_auto_remove, split_volumes
from ._compat import AirflowException, AirflowFailException, AirflowSkipException
from ._k8s import container_exit_code, merge_plan, to_dict, to_pod
from ._secrets import REDACTED, connection_pull_secret, private_env_secret, redacted_pull_secret

__all__ = ["REDACTED", "ContainerFailedError", "DockerOperator"]

_IGNORED = (
    "docker_url",
    "api_version",
    "tls_ca_cert",
    "tls_client_cert",
    "tls_client_key",
    "tls_hostname",
    "tls_ssl_version",
    "host_tmp_dir",
    "log_opts_max_size",
    "log_opts_max_file",
)
_ARG_FIELDS = tuple(f for f in DockerArgs.__dataclass_fields__ if f != "private_environment")


class ContainerFailedError(AirflowException):
    """The container exited with a code that is neither 0 nor in `skip_on_exit_code`."""

    def __init__(self, message: str, *, exit_code: int | None, logs: list[str]) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.logs = logs


class DockerOperator(KubernetesPodOperator):
    """Run a DockerOperator task as a Kubernetes pod; swap the import, keep the DAG.

    Every DockerOperator argument is accepted: translated, or refused at `execute()`
    with the reason. `storage_policy` (a dict, StoragePolicy or YAML path) says where
    mounts go; KubernetesPodOperator arguments (namespace, kubernetes_conn_id, ...)
    pass through.
    """

    template_fields: Sequence[str] = (
        *KubernetesPodOperator.template_fields,
        "command",
        "environment",
        "env_file",
        "container_name",
        "mounts",
        "docker_volumes",
        "docker_conn_id",
    )
    template_ext: Sequence[str] = (".sh", ".bash", ".env")
    template_fields_renderers = {
        **KubernetesPodOperator.template_fields_renderers,
        "env_file": "yaml",
    }
    last_log_lines = 20

    def __init__(
        self,
        *,
        image: str,
        command: str | list[str] | None = None,
        entrypoint: str | list[str] | None = None,
        environment: dict[str, Any] | None = None,
        private_environment: dict[str, Any] | None = None,
        env_file: str | None = None,
        mounts: list[Any] | None = None,
        volumes: list[Any] | None = None,
        container_name: str | None = None,
        auto_remove: str | bool = "never",
        xcom_all: bool = False,
        retrieve_output: bool = False,
        retrieve_output_path: str | None = None,
        docker_conn_id: str | None = None,
        storage_policy: StoragePolicy | dict[str, Any] | str | None = None,
        do_xcom_push: bool = True,
        timeout: int | None = None,
        tls_verify: bool = True,
        **kwargs: Any,
    ) -> None:
        docker_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in _ARG_FIELDS}
        ignored = {k: kwargs.pop(k) for k in _IGNORED if k in kwargs}
        ignored.update({"timeout": timeout} if timeout is not None else {})
        ignored.update({"tls_verify": tls_verify} if tls_verify is not True else {})
        kpo_volumes, docker_volumes = split_volumes(volumes)
        auto_remove = checked_auto_remove(auto_remove)
        if docker_kwargs.get("port_bindings") and docker_kwargs.get("network_mode") == "host":
            raise ValueError("Port bindings is not supported in the host network mode")
        kwargs.setdefault("on_finish_action", AUTO_REMOVE[auto_remove])
        super().__init__(
            image=image,
            name=container_name,
            volumes=kpo_volumes,
            do_xcom_push=do_xcom_push,
            **kwargs,
        )
        self.command, self.entrypoint = command, entrypoint
        self.environment = environment or {}
        self._private_environment = private_environment or {}
        self.env_file, self.mounts, self.docker_volumes = env_file, mounts or [], docker_volumes
        self.container_name, self.auto_remove, self.xcom_all = container_name, auto_remove, xcom_all
        self.retrieve_output, self.retrieve_output_path = retrieve_output, retrieve_output_path
        self.docker_conn_id, self.storage_policy = docker_conn_id, storage_policy
        self.docker_kwargs, self.ignored_docker_kwargs = docker_kwargs, ignored
        self.pickling_library: Any = pickle
        self._plan: PodPlan | None = None
        self._docker_xcom_push = do_xcom_push
        self._xcom_result: Any = None
        self._private_secret: str | None = None
        self._registry_secret: str | None = None
        self._policy_level: str | None = None

    # -- translation (after Jinja rendering) ------------------------------------------
    def docker_args(self) -> DockerArgs:
        """The rendered Docker arguments as the pure translator's input."""
        return DockerArgs(
            image=str(self.image),
            command=self.command,
            entrypoint=self.entrypoint,
            environment=self.environment,
            private_environment=self._private_environment,
            env_file=self.env_file,
            container_name=self.container_name,
            mounts=list(self.mounts or []),
            volumes=list(self.docker_volumes or []),
            retrieve_output=self.retrieve_output,
            retrieve_output_path=self.retrieve_output_path,
            **self.docker_kwargs,
        )

    def resolve_policy(self, namespace: str | None) -> StoragePolicy:
        """Argument, then `$K8S_VOLUME_OPS_POLICY`, then the chart's ConfigMap, then defaults."""
        if self.storage_policy is not None or os.environ.get(POLICY_ENV):
            return load_policy(self.storage_policy)
        if namespace:
            name = os.environ.get(POLICY_CONFIGMAP_ENV, "k8s-volume-ops-policy")
            found = apply.read_policy_configmap(self.client, namespace, name)
            if found is not None:
                return found
        return StoragePolicy()

    def plan(self, policy: StoragePolicy) -> PodPlan:
        """Translate the rendered arguments; the plan lists every problem found."""
        plan = plan_pod(self.docker_args(), policy)
        note = run_as_root_note(plan.container) if policy.pod_security == "restricted" else None
        plan.notes += [note] if note else []
        if plan.pod_name:  # templated, so named only now, as KPO names pods
            self.name = plan.pod_name
        for key, value in self.ignored_docker_kwargs.items():
            if value is not None:
                plan.notes.append(
                    f"{key}={value!r} configures the Docker client or daemon; ignored on Kubernetes"
                )
        self._plan = plan
        self._policy_level = policy.pod_security
        return plan

    @property
    def private_secret_name(self) -> str | None:
        """The per-pod Secret holding private_environment, once the pod is built."""
        return self._private_secret

    def prepare(self, policy: StoragePolicy) -> PodPlan:
        """Translate the rendered arguments; refuse the task if anything cannot run."""
        plan = self.plan(policy)
        if plan.problems:
            lines = "\n".join(f"- {problem}" for problem in plan.problems)
            raise AirflowFailException(
                f"task {self.task_id!r} cannot run on Kubernetes:\n{lines}"
            ) from plan.problems[0]
        for note in plan.notes:
            self.log.warning("%s", note)
        return plan

    def namespace_for_pod(self) -> str:
        """The namespace KPO will use, resolved the same way."""
        return str(
            self.namespace or self.hook.get_namespace() or self._incluster_namespace or "default"
        )

    def execute(self, context: Any) -> Any:
        """Translate, then run the pod with KPO; return DockerOperator's XCom value."""
        self.prepare(self.resolve_policy(self.namespace_for_pod()))
        self._docker_xcom_push = self.do_xcom_push
        self.do_xcom_push = False  # KPO's XCom sidecar needs pods/exec; ours reads the log
        try:
            super().execute(context)
        finally:
            self.do_xcom_push = self._docker_xcom_push
        return self._xcom_result if self._docker_xcom_push else None

    def trigger_reentry(self, context: Any, event: dict[str, Any]) -> Any:
        """Deferrable mode: the same XCom rules when the trigger hands the pod back."""
        self._docker_xcom_push = self.do_xcom_push
        self.do_xcom_push = False
        try:
            super().trigger_reentry(context, event)
        finally:
            self.do_xcom_push = self._docker_xcom_push
        return self._xcom_result if self._docker_xcom_push else None

    def build_pod_request_obj(self, context: Any = None, *, dry_run: bool = False) -> Any:
        """KPO's pod with the translated Docker arguments merged in."""
        pod = super().build_pod_request_obj(context, dry_run=dry_run)
        if self._plan is None:
            return pod
        self._private_secret = (
            f"{pod.metadata.name}-private-env" if self._plan.private_env else None
        )
        self._registry_secret = f"{pod.metadata.name}-registry" if self.docker_conn_id else None
        merged = merge_plan(to_dict(pod), self._plan, self._private_secret or "")
        if self._policy_level == "restricted":
            harden(merged)
        if self._registry_secret:
            pulls = merged["spec"].get("imagePullSecrets") or []
            merged["spec"]["imagePullSecrets"] = [*pulls, {"name": self._registry_secret}]
        return to_pod(merged)

    # -- cluster side ----------------------------------------------------------------
    def get_or_create_pod(self, pod_request_obj: Any, context: Any) -> Any:
        """Check PodSecurity, ensure claims and Secrets, then create (or find) the pod."""
        plan = self._require_plan()
        namespace = pod_request_obj.metadata.namespace
        self._check_pod_security(to_dict(pod_request_obj), namespace)
        translation = plan.translation.for_namespace(namespace)
        skipped: list[str] = []
        apply.ensure_objects(self.client, namespace, translation.objects(namespace), skipped)
        for name in skipped:
            self.log.warning(
                "Not allowed to create %s; it must exist already (Helm chart nfs[] "
                "or `k8s-volume-ops apply`)",
                name,
            )
        created = apply.ensure_claims(self.client, namespace, translation.claims)
        if created:
            self.log.info("Created claims %s in namespace %s", created, namespace)
        if self._private_secret:
            apply.create_or_replace_secret(self.client, namespace, self.private_secret_body())
        if self._registry_secret:
            apply.create_or_replace_secret(self.client, namespace, self.registry_secret_body())
        return super().get_or_create_pod(pod_request_obj, context)

    def private_secret_body(self) -> dict[str, Any]:
        """The Secret holding `private_environment`; the pod spec only references it."""
        return private_env_secret(str(self._private_secret), self._require_plan().secret_data())

    def registry_secret_body(self, *, redacted: bool = False) -> dict[str, Any]:
        """The image pull Secret built from the `docker_conn_id` connection."""
        name = str(self._registry_secret)
        return (
            redacted_pull_secret(name)
            if redacted
            else connection_pull_secret(name, str(self.docker_conn_id))
        )

    @property
    def task_secrets(self) -> list[str]:
        """The Secrets made for this pod only (owned by it, deleted when it ends)."""
        return [name for name in (self._private_secret, self._registry_secret) if name]

    def _check_pod_security(self, pod: dict[str, Any], namespace: str) -> None:
        """Refuse before submission what the namespace's PodSecurity level would reject.

        The level is the policy's `podSecurity`, else the namespace's `enforce` label;
        the label is read only when the pod has something any level could reject, so a
        plain task costs no extra request.
        """
        level = self._policy_level
        if level is None:
            if not check_pod_security(pod, "restricted", hardening=False):
                return
            level = apply.namespace_pod_security(self.client, namespace)
        problems = check_pod_security(pod, level)
        if problems:
            lines = "\n".join(f"- {p}" for p in problems)
            raise AirflowFailException(
                f"task {self.task_id!r}: namespace {namespace!r} enforces PodSecurity level "
                f"{level!r}, which would reject this pod:\n{lines}"
            )

    def await_pod_start(self, pod: Any) -> None:
        """Hand the task's Secrets to the pod before waiting: GC deletes them with it."""
        remote = getattr(self, "remote_pod", None)
        if remote is not None and remote.metadata.uid:
            for name in self.task_secrets:
                apply.own_by_pod(self.client, remote.metadata.namespace, name, remote)
        super().await_pod_start(pod)

    def cleanup(
        self, pod: Any, remote_pod: Any, xcom_result: Any = None, context: Any = None
    ) -> None:
        """Collect XCom and failure lines from the log, then let KPO delete and judge."""
        if self._killed:  # KPO's cleanup returns quietly after on_kill: never report success
            self._delete_task_secrets(remote_pod)
            name = getattr(getattr(pod, "metadata", None), "name", None)
            raise AirflowException(f"Task was killed: its pod {name} was deleted before it ended")
        logs: list[str] = []
        exit_code = container_exit_code(remote_pod, self.base_container_name)
        if remote_pod is not None:
            logs = self._collect_results(remote_pod, exit_code)
        try:
            super().cleanup(pod, remote_pod, xcom_result, context)
        except AirflowSkipException:
            raise
        except AirflowException as exc:
            if exit_code is None:  # the container never ran: KPO's message says why
                raise
            tail = "\n".join(logs[-self.last_log_lines :])
            raise ContainerFailedError(
                f"Docker container failed: {{'StatusCode': {exit_code}}}\nlast log lines:\n{tail}",
                exit_code=exit_code,
                logs=logs,
            ) from exc
        finally:
            self._delete_task_secrets(remote_pod)

    def _collect_results(self, remote_pod: Any, exit_code: int | None) -> list[str]:
        """Read the log once, and only when needed: for XCom, or for a failure's message."""
        name, namespace = remote_pod.metadata.name, remote_pod.metadata.namespace
        push = exit_code == 0 and self._docker_xcom_push
        failed = exit_code != 0 and exit_code not in self.skip_on_exit_code
        if push and self.retrieve_output:
            self._xcom_result = self._retrieved_output(namespace, name)
            return []
        if not push and not failed:
            return []
        text = apply.read_container_log(self.client, namespace, name, self.base_container_name)
        if push:
            self._xcom_result = xcom_value(text, xcom_all=self.xcom_all)
        return log_lines(text)

    def _retrieved_output(self, namespace: str, name: str) -> Any:
        text = apply.read_container_log(self.client, namespace, name, RETRIEVE_CONTAINER)
        data = output_file_bytes(text)
        return None if data is None else self.pickling_library.loads(data)

    def _delete_task_secrets(self, remote_pod: Any) -> None:
        if remote_pod is None:
            return
        for name in self.task_secrets:
            try:
                self.client.delete_namespaced_secret(name, remote_pod.metadata.namespace)
            except Exception as exc:  # the pod owns it: garbage collection is the fallback
                self.log.warning("Could not delete Secret %s now: %s", name, exc)

    def _require_plan(self) -> PodPlan:
        if self._plan is None:
            raise AirflowException("the Docker arguments were not translated; call prepare()")
        return self._plan
