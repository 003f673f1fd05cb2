{{/*
Return the chart name, or nameOverride.
*/}}
{{- define "k8s-volume-ops.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Return the prefix of every object name, truncated to 63 characters because
some Kubernetes name fields are DNS-1123 labels. A release whose name already
contains the chart name is not repeated: release "k8s-volume-ops" gives
"k8s-volume-ops", so the policy ConfigMap gets the name the operator looks for
by default.
*/}}
{{- define "k8s-volume-ops.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
Return the value of the helm.sh/chart label.
*/}}
{{- define "k8s-volume-ops.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Return the labels that identify the objects of one release.
*/}}
{{- define "k8s-volume-ops.selectorLabels" -}}
app.kubernetes.io/name: {{ include "k8s-volume-ops.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/*
Return the standard labels of every object, plus commonLabels. The standard
labels win over commonLabels so that selectors keep working.
*/}}
{{- define "k8s-volume-ops.labels" -}}
{{- $standard := dict
  "helm.sh/chart" (include "k8s-volume-ops.chart" .)
  "app.kubernetes.io/version" .Chart.AppVersion
  "app.kubernetes.io/managed-by" .Release.Service
  "app.kubernetes.io/part-of" "k8s-volume-ops"
-}}
{{- $standard = merge $standard (include "k8s-volume-ops.selectorLabels" . | fromYaml) -}}
{{- toYaml (merge $standard (.Values.commonLabels | default dict)) -}}
{{- end -}}

{{/*
Return the metadata.labels block of an object of one component.
Usage: {{ include "k8s-volume-ops.componentLabels" (dict "context" $ "component" "rbac" "extra" $labels) }}
"extra" (optional) are user labels; they never replace the standard ones.
*/}}
{{- define "k8s-volume-ops.componentLabels" -}}
{{- $standard := include "k8s-volume-ops.labels" .context | fromYaml -}}
{{- $_ := set $standard "app.kubernetes.io/component" .component -}}
{{- toYaml (merge $standard (.extra | default dict)) -}}
{{- end -}}

{{/*
Return commonAnnotations merged with the given ones ("extra" wins), as a
YAML map, or nothing when both are empty.
Usage: {{ include "k8s-volume-ops.annotations" (dict "context" $ "extra" $annotations) }}
*/}}
{{- define "k8s-volume-ops.annotations" -}}
{{- $all := merge (dict) (.extra | default dict) (.context.Values.commonAnnotations | default dict) -}}
{{- if $all -}}
{{- toYaml $all -}}
{{- end -}}
{{- end -}}

{{/*
Return the name of the storage policy ConfigMap. The Role grants `get` on
this name only; the operator's default is "k8s-volume-ops-policy".
*/}}
{{- define "k8s-volume-ops.policyConfigMapName" -}}
{{- printf "%s-policy" (include "k8s-volume-ops.fullname" .) -}}
{{- end -}}

{{/*
Return the name of the chart's own ServiceAccount.
*/}}
{{- define "k8s-volume-ops.serviceAccountName" -}}
{{- default (include "k8s-volume-ops.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{/*
Return the name of the StorageClass the chart creates.
*/}}
{{- define "k8s-volume-ops.storageClassName" -}}
{{- default (include "k8s-volume-ops.fullname" .) .Values.storageClass.name -}}
{{- end -}}

{{/*
Return the name of the PersistentVolume of an nfs entry. PersistentVolumes
are cluster-scoped, so the namespace keeps two releases' volumes apart.
Usage: {{ include "k8s-volume-ops.nfsVolumeName" (dict "context" $ "nfs" $entry) }}
*/}}
{{- define "k8s-volume-ops.nfsVolumeName" -}}
{{- printf "%s-%s" .context.Release.Namespace .nfs.name | trunc 253 | trimSuffix "-" -}}
{{- end -}}

{{/*
Return a claim's `storageClassName:` line, following the Airflow and bitnami
charts: "-" renders "" (no dynamic provisioning), a name renders as is, and
empty or null renders nothing (the cluster's default StorageClass).
Usage: {{ include "k8s-volume-ops.claimStorageClass" $className }}
*/}}
{{- define "k8s-volume-ops.claimStorageClass" -}}
{{- if . -}}
{{- if eq "-" (toString .) -}}
storageClassName: ""
{{- else -}}
storageClassName: {{ . | quote }}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
Return the spec fields that a claims[] entry shares with the claim the
operator would create for a Docker volume: unset or empty fields come from
policy.claims, like the operator's own defaults (an explicit "" as the
policy's storageClassName renders "" as well), so both render the same spec
(tests/chart/test_parity.py holds them together).
Usage: {{ include "k8s-volume-ops.claimSpec" (dict "context" $ "claim" $entry) }}
*/}}
{{- define "k8s-volume-ops.claimSpec" -}}
{{- $defaults := .context.Values.policy.claims -}}
accessModes:
  {{- toYaml (.claim.accessModes | default $defaults.accessModes) | nindent 2 }}
resources:
  requests:
    storage: {{ .claim.size | default $defaults.size | quote }}
{{- $className := .claim.storageClassName | default $defaults.storageClassName }}
{{- if $className }}
{{ include "k8s-volume-ops.claimStorageClass" $className }}
{{- else if and (hasKey $defaults "storageClassName") (kindIs "string" $defaults.storageClassName) }}
storageClassName: ""
{{- end }}
{{- end -}}

{{/*
Fail with every values problem at once, each as
"k8s-volume-ops: <key>" followed by why and how to fix it (bitnami style).
The schema has already checked types and unknown keys; these checks need
several values at once or a clearer message than a schema error.
*/}}
{{- define "k8s-volume-ops.validateValues" -}}
{{- $messages := list -}}
{{- $messages = append $messages (include "k8s-volume-ops.validateValues.rbac" . | trim) -}}
{{- $messages = append $messages (include "k8s-volume-ops.validateValues.claims" . | trim) -}}
{{- $messages = append $messages (include "k8s-volume-ops.validateValues.nfs" . | trim) -}}
{{- $messages = append $messages (include "k8s-volume-ops.validateValues.uniqueClaimNames" . | trim) -}}
{{- $messages = append $messages (include "k8s-volume-ops.validateValues.storageClass" . | trim) -}}
{{- $messages = append $messages (include "k8s-volume-ops.validateValues.binds" . | trim) -}}
{{- $messages = append $messages (include "k8s-volume-ops.validateValues.podSecurity" . | trim) -}}
{{- $messages = without $messages "" -}}
{{- $message := join "\n" $messages -}}
{{- if $message -}}
{{- printf "\nVALUES VALIDATION:\n%s" $message | fail -}}
{{- end -}}
{{- end -}}

{{/*
Validate that the Role is bound to somebody, and each subject has a name.
*/}}
{{- define "k8s-volume-ops.validateValues.rbac" -}}
{{- if .Values.rbac.create -}}
{{- if and (empty .Values.rbac.serviceAccounts) (not .Values.serviceAccount.create) }}
k8s-volume-ops: rbac.serviceAccounts
    The Role would be bound to no account. List the accounts that run the
    operator (--set rbac.serviceAccounts[0].name=airflow-worker) or create
    one (--set serviceAccount.create=true).
{{- end -}}
{{- range $i, $sa := .Values.rbac.serviceAccounts }}
{{- if not $sa.name }}
k8s-volume-ops: rbac.serviceAccounts[{{ $i }}].name
    Each subject needs the ServiceAccount's name
    (--set rbac.serviceAccounts[{{ $i }}].name=airflow-worker).
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
Validate the claims[] entries.
*/}}
{{- define "k8s-volume-ops.validateValues.claims" -}}
{{- range $i, $claim := .Values.claims }}
{{- if not $claim.name }}
k8s-volume-ops: claims[{{ $i }}].name
    Each claim needs a name; binds rules and the operator refer to it
    (--set claims[{{ $i }}].name=shared-data).
{{- else if not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" $claim.name) }}
k8s-volume-ops: claims[{{ $i }}].name
    {{ $claim.name | quote }} is not a valid claim name: use lower-case
    letters, digits and '-', starting and ending with a letter or digit.
{{- else if gt (len $claim.name) 63 }}
k8s-volume-ops: claims[{{ $i }}].name
    {{ $claim.name | quote }} is longer than 63 characters.
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
Validate the nfs[] entries: each needs a name, a server and an absolute path.
*/}}
{{- define "k8s-volume-ops.validateValues.nfs" -}}
{{- range $i, $nfs := .Values.nfs }}
{{- $label := printf "nfs[%d]" $i -}}
{{- if not $nfs.name }}
k8s-volume-ops: {{ $label }}.name
    Each NFS entry needs the name of its claim (--set {{ $label }}.name=media).
{{- else if not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" $nfs.name) }}
k8s-volume-ops: {{ $label }}.name
    {{ $nfs.name | quote }} is not a valid claim name: use lower-case
    letters, digits and '-', starting and ending with a letter or digit.
{{- else if gt (len $nfs.name) 63 }}
k8s-volume-ops: {{ $label }}.name
    {{ $nfs.name | quote }} is longer than 63 characters.
{{- end -}}
{{- if not $nfs.server }}
k8s-volume-ops: {{ $label }}.server
    An NFS volume needs the server's host name or IP address
    (--set {{ $label }}.server=10.0.0.5).
{{- end -}}
{{- if not $nfs.path }}
k8s-volume-ops: {{ $label }}.path
    An NFS volume needs the exported path (--set {{ $label }}.path=/exports/data).
{{- else if not (hasPrefix "/" $nfs.path) }}
k8s-volume-ops: {{ $label }}.path
    {{ $nfs.path | quote }} is not absolute; NFS export paths start with "/".
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
Validate that claims[] and nfs[] do not define the same claim twice.
*/}}
{{- define "k8s-volume-ops.validateValues.uniqueClaimNames" -}}
{{- $seen := dict -}}
{{- range $key := list "claims" "nfs" -}}
{{- range $i, $entry := index $.Values $key -}}
{{- if $entry.name -}}
{{- $where := printf "%s[%d]" $key $i -}}
{{- if hasKey $seen $entry.name }}
k8s-volume-ops: {{ $where }}.name
    The claim {{ $entry.name | quote }} is already defined by {{ get $seen $entry.name }};
    claim names must be unique in the namespace.
{{- else -}}
{{- $_ := set $seen $entry.name $where -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
Validate that a created StorageClass has a provisioner.
*/}}
{{- define "k8s-volume-ops.validateValues.storageClass" -}}
{{- if and .Values.storageClass.create (not .Values.storageClass.provisioner) }}
k8s-volume-ops: storageClass.provisioner
    A StorageClass needs a provisioner (--set storageClass.provisioner=nfs.csi.k8s.io).
{{- end -}}
{{- end -}}

{{/*
Validate policy.binds: an absolute source and exactly one target per rule.
*/}}
{{- define "k8s-volume-ops.validateValues.binds" -}}
{{- range $i, $rule := .Values.policy.binds }}
{{- $label := printf "policy.binds[%d]" $i -}}
{{- if not $rule.source }}
k8s-volume-ops: {{ $label }}.source
    Each binds rule needs the host path prefix it applies to
    (--set {{ $label }}.source=/data).
{{- else if not (hasPrefix "/" $rule.source) }}
k8s-volume-ops: {{ $label }}.source
    {{ $rule.source | quote }} is not absolute; Docker bind sources are host paths.
{{- end -}}
{{- $targets := 0 -}}
{{- if $rule.claim }}{{ $targets = add1 $targets }}{{ end -}}
{{- if $rule.nfs }}{{ $targets = add1 $targets }}{{ end -}}
{{- if $rule.hostPath }}{{ $targets = add1 $targets }}{{ end -}}
{{- if ne (int $targets) 1 }}
k8s-volume-ops: {{ $label }}
    A binds rule needs exactly one of claim: <name>, nfs: {server, path}
    or hostPath: true; it has {{ $targets }}.
{{- end -}}
{{- if $rule.nfs -}}
{{- if not (and $rule.nfs.server $rule.nfs.path) }}
k8s-volume-ops: {{ $label }}.nfs
    An nfs target needs both server and path
    (--set {{ $label }}.nfs.server=10.0.0.5,{{ $label }}.nfs.path=/exports).
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
Validate that the policy does not ask for hostPath volumes, which only the
PodSecurity level "privileged" admits; the operator would refuse every such
task at run time.
ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/
*/}}
{{- define "k8s-volume-ops.validateValues.podSecurity" -}}
{{- $level := .Values.policy.podSecurity | default "privileged" -}}
{{- range $i, $rule := .Values.policy.binds }}
{{- if and $rule.hostPath (ne $level "privileged") }}
k8s-volume-ops: policy.binds[{{ $i }}].hostPath
    PodSecurity {{ $level | quote }} (policy.podSecurity) rejects hostPath
    volumes. Point the rule at a claim or an NFS export, or label the
    namespace privileged and --set policy.podSecurity=privileged.
{{- end -}}
{{- end -}}
{{- end -}}
