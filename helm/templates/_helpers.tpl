{{/*
Names. The Deployments are named after their Dapr app ids, and the Dapr resources after the local
ones (sidecar-components/): app ids, component names and the Configuration name are unique per
namespace, so one release of this chart per namespace.
*/}}
{{- define "dce.name" -}}dependable-call-exchange{{- end -}}
{{- define "dce.pubsubName" -}}pubsub{{- end -}}
{{- define "dce.stateStoreName" -}}actorstore{{- end -}}

{{- define "dce.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "dce.labels" -}}
helm.sh/chart: {{ include "dce.chart" . }}
app.kubernetes.io/name: {{ include "dce.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: {{ include "dce.name" . }}
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "component" "actors") */}}
{{- define "dce.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dce.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "dce.componentLabels" -}}
{{ include "dce.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "dce.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "dce.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default "exchange" .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Redis host:port, defaulting to the in-cluster service of a Redis chart in this namespace. */}}
{{- define "dce.redisHost" -}}
{{- default (printf "redis-master.%s.svc.cluster.local:6379" .Release.Namespace) .Values.redis.host -}}
{{- end -}}

{{/* The redisHost and redisPassword metadata of both Dapr Redis components. */}}
{{- define "dce.redisConnectionMetadata" -}}
- name: redisHost
  value: {{ include "dce.redisHost" . | quote }}
{{- if .Values.redis.password.enabled }}
- name: redisPassword
  secretKeyRef:
    name: {{ .Values.redis.password.secretName }}
    key: {{ .Values.redis.password.secretKey }}
{{- else }}
- name: redisPassword
  value: ""
{{- end }}
{{- if .Values.redis.enableTLS }}
- name: enableTLS
  value: "true"
{{- end }}
{{- end -}}

{{/*
Dapr annotations of one app's pod template: (dict "root" $ "appId" "exchange-actors" "app" .Values.actors
"appPort" 3001 "healthPath" "/healthz"). appPort and healthPath are optional (the API has neither).
*/}}
{{- define "dce.daprAnnotations" -}}
{{- $root := .root -}}
{{- $sidecar := $root.Values.dapr.sidecar -}}
{{- $res := merge (dict) (.app.sidecarResources | default dict) $sidecar.resources -}}
dapr.io/enabled: "true"
dapr.io/app-id: {{ .appId | quote }}
{{- if .appPort }}
dapr.io/app-port: {{ .appPort | quote }}
{{- end }}
dapr.io/app-protocol: "http"
{{- /* daprd requires DAPR_API_TOKEN of every caller and sends APP_API_TOKEN on every callback. */}}
dapr.io/api-token-secret: {{ $root.Values.secrets.daprApiToken.name | quote }}
dapr.io/app-token-secret: {{ $root.Values.secrets.appApiToken.name | quote }}
dapr.io/config: {{ $root.Values.dapr.configurationName | quote }}
dapr.io/log-level: {{ $sidecar.logLevel | quote }}
dapr.io/log-as-json: {{ $sidecar.logAsJson | quote }}
dapr.io/enable-metrics: {{ $sidecar.enableMetrics | quote }}
dapr.io/metrics-port: {{ $sidecar.metricsPort | quote }}
dapr.io/graceful-shutdown-seconds: {{ $sidecar.gracefulShutdownSeconds | quote }}
{{- /* daprd's Go garbage collector: see scripts/stack/plan.ts daprdGoEnv for the measurement. */}}
dapr.io/env: {{ printf "GOGC=%v,GOMEMLIMIT=%v" $sidecar.goGC $sidecar.goMemLimit | quote }}
dapr.io/sidecar-cpu-request: {{ $res.cpuRequest | quote }}
dapr.io/sidecar-memory-request: {{ $res.memoryRequest | quote }}
dapr.io/sidecar-cpu-limit: {{ $res.cpuLimit | quote }}
dapr.io/sidecar-memory-limit: {{ $res.memoryLimit | quote }}
{{- with $sidecar.image }}
dapr.io/sidecar-image: {{ . | quote }}
{{- end }}
{{- if .healthPath }}
dapr.io/enable-app-health-check: "true"
dapr.io/app-health-check-path: {{ .healthPath | quote }}
dapr.io/app-health-probe-timeout: "3000"
{{- end }}
{{- end -}}

{{/* The environment every app reads (actors/runtime/config.ts). DAPR_HTTP_PORT/DAPR_GRPC_PORT come from the injector. */}}
{{- define "dce.commonEnv" -}}
{{- $v := .root.Values -}}
- name: APP_ID
  value: {{ printf "exchange-%s" .component | quote }}
- name: LOG_LEVEL
  value: {{ .app.logLevel | quote }}
- name: DCE_PII_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $v.secrets.piiKey.name }}
      key: {{ $v.secrets.piiKey.key }}
- name: DCE_PII_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ $v.secrets.piiKeys.name }}
      key: {{ $v.secrets.piiKeys.key }}
      optional: true
- name: DCE_ADMIN_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $v.secrets.adminApiKey.name }}
      key: {{ $v.secrets.adminApiKey.key }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ $v.secrets.databaseUrl.name }}
      key: {{ $v.secrets.databaseUrl.key }}
{{- if eq .component "api" }}
- name: DCE_AUDIT_CHECKPOINT_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $v.secrets.auditCheckpointKey.name }}
      key: {{ $v.secrets.auditCheckpointKey.key }}
- name: DCE_TWILIO_AUTH_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ $v.secrets.twilioAuthToken.name }}
      key: {{ $v.secrets.twilioAuthToken.key }}
      optional: true
- name: DCE_TELNYX_PUBLIC_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $v.secrets.telnyxPublicKey.name }}
      key: {{ $v.secrets.telnyxPublicKey.key }}
      optional: true
- name: DCE_DOSSIER_SIGNING_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $v.secrets.dossierSigningKey.name }}
      key: {{ $v.secrets.dossierSigningKey.key }}
      optional: true
{{- end }}
{{- /* The same Secrets as the sidecar's (key `token`, as Dapr's injector reads them). */}}
- name: DAPR_API_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ $v.secrets.daprApiToken.name }}
      key: token
- name: APP_API_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ $v.secrets.appApiToken.name }}
      key: token
{{- $scheme := ternary "rediss" "redis" $v.redis.enableTLS }}
{{- if $v.redis.password.enabled }}
- name: DCE_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $v.redis.password.secretName }}
      key: {{ $v.redis.password.secretKey }}
- name: DCE_REDIS_URL
  value: "{{ $scheme }}://:$(DCE_REDIS_PASSWORD)@{{ include "dce.redisHost" .root }}"
{{- else }}
- name: DCE_REDIS_URL
  value: "{{ $scheme }}://{{ include "dce.redisHost" .root }}"
{{- end }}
- name: DCE_PUBSUB
  value: {{ include "dce.pubsubName" .root | quote }}
- name: DCE_EVENTS_TOPIC
  value: {{ $v.pubsub.topic | quote }}
- name: DCE_DISPUTE_WINDOW_DAYS
  value: {{ $v.exchange.disputeWindowDays | quote }}
- name: DCE_CALL_RETENTION_SEC
  value: {{ $v.exchange.callRetentionSec | quote }}
- name: DCE_PUBLIC_URL
  value: {{ $v.exchange.publicUrl | quote }}
- name: DCE_CARRIER_DIAL_TIMEOUT_SEC
  value: {{ $v.exchange.carrierDialTimeoutSec | quote }}
- name: DCE_INLINE_AUCTIONS
  value: {{ ternary "1" "0" $v.exchange.inlineAuctions | quote }}
- name: DCE_RATE_LIMIT_RPS
  value: {{ $v.exchange.rateLimits.perSec | quote }}
- name: DCE_RATE_LIMIT_BURST
  value: {{ $v.exchange.rateLimits.burst | quote }}
- name: DCE_RATE_LIMIT_OFFERS_RPS
  value: {{ $v.exchange.rateLimits.offersPerSec | quote }}
- name: DCE_RATE_LIMIT_OFFERS_BURST
  value: {{ $v.exchange.rateLimits.offersBurst | quote }}
- name: DCE_AUTH_FAILURES_MAX
  value: {{ $v.exchange.authFailures.max | quote }}
- name: DCE_AUTH_FAILURES_WINDOW_SEC
  value: {{ $v.exchange.authFailures.windowSec | quote }}
- name: DCE_TRUSTED_PROXY_HOPS
  value: {{ $v.exchange.trustedProxyHops | quote }}
- name: DCE_WEBHOOK_RETRY_BASE_MS
  value: {{ $v.exchange.webhooks.retryBaseMs | quote }}
- name: DCE_WEBHOOK_MAX_DELAY_MS
  value: {{ $v.exchange.webhooks.maxDelayMs | quote }}
- name: DCE_WEBHOOK_MAX_ATTEMPTS
  value: {{ $v.exchange.webhooks.maxAttempts | quote }}
- name: DCE_WEBHOOK_TIMEOUT_MS
  value: {{ $v.exchange.webhooks.timeoutMs | quote }}
- name: DCE_WEBHOOK_POLL_MS
  value: {{ $v.exchange.webhooks.pollMs | quote }}
- name: DCE_WEBHOOK_BREAKER_FAILURES
  value: {{ $v.exchange.webhooks.breakerFailures | quote }}
- name: DCE_WEBHOOK_BREAKER_MIN_FAILING_MS
  value: {{ $v.exchange.webhooks.breakerMinFailingMs | quote }}
- name: DCE_WEBHOOK_PROBE_BASE_MS
  value: {{ $v.exchange.webhooks.probeBaseMs | quote }}
- name: DCE_WEBHOOK_PROBE_MAX_MS
  value: {{ $v.exchange.webhooks.probeMaxMs | quote }}
- name: DCE_STREAM_BACKLOG_MAX
  value: {{ $v.exchange.stream.backlogMax | quote }}
- name: DCE_STREAM_READY_LAG_MAX
  value: {{ $v.exchange.stream.readyLagMax | quote }}
- name: DCE_STREAM_RETRY_AFTER_SEC
  value: {{ $v.exchange.stream.retryAfterSec | quote }}
- name: DCE_STREAM_POLL_MS
  value: {{ $v.exchange.stream.pollMs | quote }}
- name: DCE_STREAM_TRIM_MS
  value: {{ $v.exchange.stream.trimMs | quote }}
- name: DCE_RECORDING_SWEEP_MS
  value: {{ $v.exchange.recordings.sweepMs | quote }}
- name: DCE_RECORDING_FETCH_TIMEOUT_MS
  value: {{ $v.exchange.recordings.fetchTimeoutMs | quote }}
- name: DCE_PAYOUT_RELEASE_MS
  value: {{ $v.exchange.payouts.releaseMs | quote }}
{{- /* The egress guard's local-stack switch is never on in a cluster: in a pod, loopback is the Dapr sidecar. */}}
- name: DCE_EGRESS_ALLOW_LOCAL
  value: "false"
{{- end -}}

{{/* Pod-level settings shared by the three apps: (dict "root" $ "app" .Values.actors "component" "actors") */}}
{{- define "dce.podSpecCommon" -}}
{{- $v := .root.Values -}}
serviceAccountName: {{ include "dce.serviceAccountName" .root }}
terminationGracePeriodSeconds: {{ .app.terminationGracePeriodSeconds }}
securityContext:
  {{- include "dce.podSecurityContext" .root | nindent 2 }}
{{- with $v.imagePullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
{{- with $v.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- if $v.spreadAcrossNodes }}
topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: kubernetes.io/hostname
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "dce.selectorLabels" . | nindent 8 }}
{{- end }}
volumes:
  # The root filesystem is read-only; tsx keeps its compile cache in the temp directory.
  - name: tmp
    emptyDir:
      sizeLimit: 256Mi
{{- end -}}

{{- define "dce.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.runAsUser }}
runAsGroup: {{ .Values.runAsGroup }}
fsGroup: {{ .Values.runAsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "dce.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end -}}

{{/* A checksum of the Dapr resources: daprd reads components and configuration at start, so a change rolls the pods. */}}
{{- define "dce.daprChecksum" -}}
{{- $out := list -}}
{{- range list "dapr-statestore.yaml" "dapr-pubsub.yaml" "dapr-configuration.yaml" "dapr-resiliency.yaml" -}}
{{- $out = append $out (include (print $.Template.BasePath "/" .) $) -}}
{{- end -}}
{{- join "\n" $out | sha256sum -}}
{{- end -}}
