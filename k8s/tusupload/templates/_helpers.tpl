{{- define "tusupload.name" -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}

{{- define "tusupload.labels" -}}
app.kubernetes.io/name: tusupload
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{- define "tusupload.secretName" -}}
{{- default (printf "%s-secrets" (include "tusupload.name" .)) .Values.existingSecret -}}
{{- end -}}

{{- define "tusupload.envFrom" -}}
- configMapRef:
    name: {{ include "tusupload.name" . }}-settings
- secretRef:
    name: {{ include "tusupload.secretName" . }}
{{- end -}}
