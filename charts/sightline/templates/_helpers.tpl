{{/*
Names and labels. The chart deploys your app, so its resources are named after the release
(`helm install shop ...` -> "shop") unless fullnameOverride says otherwise.
*/}}

{{- define "sightline.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "sightline.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "sightline.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels: fixed for the Deployment's life (a Deployment's selector cannot change). */}}
{{- define "sightline.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sightline.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "sightline.labels" -}}
helm.sh/chart: {{ include "sightline.chart" . }}
{{ include "sightline.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "sightline.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sightline.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The app's image: repository:tag, or repository alone (which may carry its own tag or digest). */}}
{{- define "sightline.appImage" -}}
{{- $repository := required "app.image.repository is required: the image of the app Sightline runs beside" .Values.app.image.repository }}
{{- if .Values.app.image.tag }}
{{- printf "%s:%s" $repository .Values.app.image.tag }}
{{- else }}
{{- $repository }}
{{- end }}
{{- end }}

{{- define "sightline.sidecarImage" -}}
{{- printf "%s:%s" .Values.sightline.image.repository (.Values.sightline.image.tag | default .Chart.AppVersion) }}
{{- end }}
