{{/*
Sightline's YAML config, mounted at /etc/sightline/sightline.yaml. The chart owns the keys that must
agree with the rest of the pod (ports the probes and Service name, the app's port, the drain the grace
period is checked against); everything else comes from .Values.sightline.config. The owned keys are
merged last so they win, and the schema refuses them in sightline.config so nobody is surprised.
*/}}
{{- define "sightline.config" -}}
{{- $health := dict "type" "tcp" }}
{{- with .Values.app.healthPath }}
{{- $health = dict "type" "http" "path" . }}
{{- end }}
{{- $drain := dict "delay" (printf "%ds" (int .Values.sightline.drain.delaySeconds)) "timeout" (printf "%ds" (int .Values.sightline.drain.timeoutSeconds)) }}
{{- $upstream := dict "url" (printf "http://127.0.0.1:%d" (int .Values.app.port)) }}
{{- $owned := dict "listen" "0.0.0.0:15001" "admin" "0.0.0.0:15000" "upstream" $upstream "health" $health "drain" $drain }}
{{- $user := deepCopy (.Values.sightline.config | default (dict)) }}
{{- toYaml (mustMergeOverwrite $user $owned) }}
{{- end }}

{{/*
Seconds the app's preStop hook sleeps: app.preStopSleepSeconds, or when it is null, the drain delay
(0 is a real value here, "no hook", which is why this does not use `default`).
*/}}
{{- define "sightline.preStopSleepSeconds" -}}
{{- if kindIs "invalid" .Values.app.preStopSleepSeconds }}
{{- int .Values.sightline.drain.delaySeconds }}
{{- else }}
{{- int .Values.app.preStopSleepSeconds }}
{{- end }}
{{- end }}

{{/*
Refuses settings that would break a rollout rather than render them. Renders nothing.
- terminationGracePeriodSeconds below preStop sleep + drain delay + drain timeout: the kubelet would
  SIGKILL the pod while Sightline still drains, cutting requests in flight.
- native mode before Kubernetes 1.29: the API server drops restartPolicy from the init container, which
  then never exits, and the pod stays in Init forever.
- the preStop sleep action before 1.30: the API server refuses the pod.
- serviceMonitor and podMonitor together: every pod scraped twice, every sum doubled.
*/}}
{{- define "sightline.checkValues" -}}
{{- $sleep := include "sightline.preStopSleepSeconds" . | int }}
{{- $delay := int .Values.sightline.drain.delaySeconds }}
{{- $timeout := int .Values.sightline.drain.timeoutSeconds }}
{{- $needed := add $sleep $delay $timeout | int }}
{{- $grace := int .Values.terminationGracePeriodSeconds }}
{{- if lt $grace $needed }}
{{- fail (printf "terminationGracePeriodSeconds is %d but must be at least %d: app.preStopSleepSeconds (%d) + sightline.drain.delaySeconds (%d) + sightline.drain.timeoutSeconds (%d), or the pod is killed while Sightline is still draining" $grace $needed $sleep $delay $timeout) }}
{{- end }}
{{- if not (has .Values.sightline.mode (list "native" "classic")) }}
{{- fail (printf "sightline.mode must be native or classic, not %q" .Values.sightline.mode) }}
{{- end }}
{{- $kube := .Capabilities.KubeVersion.Version }}
{{- if and (eq .Values.sightline.mode "native") (semverCompare "<1.29.0-0" $kube) }}
{{- fail (printf "sightline.mode native needs Kubernetes 1.29+ (native sidecar containers); this cluster is %s: set sightline.mode=classic" $kube) }}
{{- end }}
{{- if and (gt $sleep 0) (not .Values.app.lifecycle) (semverCompare "<1.30.0-0" $kube) }}
{{- fail (printf "the app's preStop sleep action needs Kubernetes 1.30+; this cluster is %s: set app.preStopSleepSeconds=0 (and optionally an exec sleep in app.lifecycle)" $kube) }}
{{- end }}
{{- if and .Values.serviceMonitor.enabled .Values.podMonitor.enabled }}
{{- fail "enable serviceMonitor or podMonitor, not both: each pod would be scraped twice" }}
{{- end }}
{{- end }}
