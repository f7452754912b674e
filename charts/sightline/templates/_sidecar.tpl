{{/*
The Sightline container, the same in both modes (native mode adds restartPolicy: Always where it is
listed). It matches the container `sightline inject` writes, field for field, so a pod looks the same
whichever way Sightline got into it.
- startupProbe: in native mode the app container starts only once this passes, so Sightline is
  listening before any traffic can reach the app. It checks /healthz, not /readyz: /readyz follows the
  app's health, and the app has not started yet. (In classic mode it only holds off the liveness probe.)
- readinessProbe: /readyz turns 503 while the app is unhealthy and as soon as a drain starts.
- No CPU limit by default: see sightline.resources in values.yaml.
*/}}
{{- define "sightline.sidecarContainer" -}}
name: sightline
image: {{ include "sightline.sidecarImage" . }}
imagePullPolicy: {{ .Values.sightline.image.pullPolicy }}
args: ["run", "--config", "/etc/sightline/sightline.yaml"]
{{- with .Values.sightline.env }}
env:
  {{- toYaml . | nindent 2 }}
{{- end }}
ports:
  - { name: sightline, containerPort: 15001 }
  - { name: sightline-admin, containerPort: 15000 }
startupProbe: { httpGet: { path: /healthz, port: sightline-admin }, periodSeconds: 1, failureThreshold: 30 }
readinessProbe: { httpGet: { path: /readyz, port: sightline-admin }, periodSeconds: 2 }
livenessProbe: { httpGet: { path: /healthz, port: sightline-admin }, periodSeconds: 10 }
{{- with .Values.sightline.resources }}
resources:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }
volumeMounts:
  - { name: sightline-config, mountPath: /etc/sightline, readOnly: true }
{{- end }}
