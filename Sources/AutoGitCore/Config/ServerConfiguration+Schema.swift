extension ServerConfiguration {
    /// The JSON Schema (draft 2020-12) of the configuration document: what `GET /v1/config/schema` serves and what
    /// ``validated(mergePatch:)`` enforces, so the published schema and the server's checks cannot drift apart.
    public static var jsonSchema: JSONValue {
        func integer(_ description: String, minimum: Int, maximum: Int? = nil) -> JSONValue {
            var schema: [String: JSONValue] = ["type": "integer", "minimum": .number(Double(minimum)), "description": .string(description)]
            if let maximum { schema["maximum"] = .number(Double(maximum)) }
            return .object(schema)
        }
        func seconds(_ description: String, minimum: Double, maximum: Double? = nil) -> JSONValue {
            var schema: [String: JSONValue] = ["type": "number", "minimum": .number(minimum), "description": .string(description)]
            if let maximum { schema["maximum"] = .number(maximum) }
            return .object(schema)
        }
        func object(_ description: String, _ properties: [String: JSONValue], required: [String] = []) -> JSONValue {
            var schema: [String: JSONValue] = [
                "type": "object", "description": .string(description), "additionalProperties": false,
                "properties": .object(properties),
            ]
            if !required.isEmpty { schema["required"] = .array(required.map { .string($0) }) }
            return .object(schema)
        }
        let role: JSONValue = ["type": "string", "enum": ["admin", "operator", "viewer", "runner"]]
        return [
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://autogit.dev/schemas/server-configuration.json",
            "title": "AutoGit server configuration",
            "description":
                "Every field has a default; a configuration file or a merge patch names only what it changes. Durations are seconds.",
            "type": "object",
            "additionalProperties": false,
            "properties": [
                "server": object(
                    "Where the server listens. Changes take effect at the next start.",
                    [
                        "host": ["type": "string", "minLength": 1, "description": "Address to bind; 127.0.0.1 by default."],
                        "port": integer("TCP port; 0 picks a free one.", minimum: 0, maximum: 65_535),
                        "public_url": ["type": ["string", "null"], "description": "The URL clients and agents use, behind a proxy."],
                    ]),
                "auth": object(
                    "Authentication.",
                    [
                        "enabled": ["type": "boolean", "description": "When false every request acts as admin (local use only)."],
                        "session_ttl_seconds": integer("Lifetime of a login session token.", minimum: 60, maximum: 30 * 86_400),
                        "users": [
                            "type": "array", "description": "People who may log in with a password.",
                            "items": object(
                                "A user.",
                                [
                                    "username": ["type": "string", "minLength": 1, "maxLength": 128],
                                    "password_hash": [
                                        "type": ["string", "null"],
                                        "description": "pbkdf2-sha256$<iterations>$<salt>$<hash>, as `autogit hash-password` prints.",
                                    ],
                                    "role": role,
                                ], required: ["username"]),
                        ],
                    ]),
                "rate_limits": object(
                    "Token-bucket limits per token, or per IP address without one.",
                    [
                        "enabled": ["type": "boolean"],
                        "authenticated_per_minute": integer("Requests per minute for a user or API token.", minimum: 1),
                        "unauthenticated_per_minute": integer("Requests per minute for a client without a token.", minimum: 1),
                        "runner_per_minute": integer("Requests per minute for a runner agent's token.", minimum: 1),
                    ]),
                "runners": object(
                    "Runner agents.",
                    [
                        "heartbeat_interval_seconds": seconds("How often agents heartbeat.", minimum: 1, maximum: 3600),
                        "offline_after_seconds": seconds("Silence after which a runner is offline and its jobs re-queued.", minimum: 1),
                        "default_max_concurrent_jobs": integer("Concurrency of a runner that does not say.", minimum: 1, maximum: 1024),
                        "metrics_retention_seconds": integer("How far back heartbeat metrics are kept.", minimum: 60),
                    ]),
                "jobs": object(
                    "Jobs.",
                    [
                        "default_timeout_seconds": integer("Timeout of a job that does not set one.", minimum: 1),
                        "long_poll_seconds": seconds("Longest wait of a runner's jobs/request.", minimum: 0, maximum: 300),
                        "limits": object(
                            "Bounds on submitted jobs.",
                            [
                                "max_timeout": integer("Longest timeout a job may ask for.", minimum: 1),
                                "max_retry_count": integer("Most retries a job may ask for.", minimum: 0, maximum: 100),
                                "max_steps": integer("Most steps in a job.", minimum: 1, maximum: 10_000),
                                "max_gpu_count": integer("Most GPUs one job may ask for.", minimum: 0, maximum: 1024),
                            ]),
                    ]),
                "events": object(
                    "The event stream.",
                    ["buffer_size": integer("Events kept for clients that resume with Last-Event-ID.", minimum: 1, maximum: 1_000_000)]),
                "webhooks": object(
                    "Webhook deliveries.",
                    [
                        "max_attempts": integer("Deliveries tried before giving up.", minimum: 1, maximum: 100),
                        "initial_backoff_seconds": seconds("Wait before the first retry; doubles each time.", minimum: 0),
                        "max_backoff_seconds": seconds("Longest wait between retries.", minimum: 0),
                        "timeout_seconds": seconds("Time a receiver has to answer.", minimum: 0.1, maximum: 300),
                    ]),
                "instances": object(
                    "Model-serving instances.",
                    [
                        "port_range_start": integer("First port handed to instances.", minimum: 1, maximum: 65_535),
                        "port_range_end": integer("Last port handed to instances.", minimum: 1, maximum: 65_535),
                        "max_running": integer("Instances running at once; the least recently used is stopped.", minimum: 1),
                        "gpu_hosts": [
                            "type": "array", "items": ["type": "string"],
                            "description": "Host names whose runners' GPUs instances may hold; empty: the server's own.",
                        ],
                    ]),
                "providers": [
                    "type": "array", "description": "Fleeting plugins that provision runners (Docs/plugins.md).",
                    "items": object(
                        "A configured plugin.",
                        [
                            "name": [
                                "type": "string", "minLength": 1, "maxLength": 64,
                                "description": "Letters, digits, '-', '_' and '.'; it prefixes the runner names.",
                            ],
                            "type": ["type": "string", "minLength": 1, "description": "The plugin: local, ssh, slurm or exec."],
                            "settings": ["type": "object", "description": "The plugin's own settings, passed to its initialize."],
                            "policy": policySchema,
                            "stop_on_shutdown": [
                                "type": ["boolean", "null"],
                                "description":
                                    "Deprovision this provider's instances when the server stops; true for local, false otherwise.",
                            ],
                        ], required: ["name", "type"]),
                ],
                "autoscaling": object(
                    "How the server runs the autoscaler over the providers.",
                    [
                        "interval_seconds": seconds(
                            "Longest time between autoscaling passes; they also run when jobs or runners change.", minimum: 0.05,
                            maximum: 3600),
                        "reconcile_interval_seconds": seconds(
                            "How often each provider's list of instances is compared with the server's view.", minimum: 0.1,
                            maximum: 86_400),
                        "failure_backoff_seconds": seconds(
                            "How long a provider rests after a failed provision.", minimum: 0, maximum: 86_400),
                    ]),
            ],
        ]
    }

    /// The schema of one provider's autoscaling policy (``AutoscalingPolicy``).
    private static var policySchema: JSONValue {
        func integer(_ description: String, minimum: Int, nullable: Bool = false) -> JSONValue {
            [
                "type": nullable ? ["integer", "null"] : "integer", "minimum": .number(Double(minimum)),
                "description": .string(description),
            ]
        }
        func number(_ description: String, minimum: Double) -> JSONValue {
            ["type": "number", "minimum": .number(minimum), "description": .string(description)]
        }
        let window: JSONValue = [
            "type": "object", "additionalProperties": false,
            "description": "An override by weekday (1 = Monday … 7 = Sunday) and hour range; the last matching window wins.",
            "properties": [
                "days": ["type": "array", "items": ["type": "integer", "minimum": 1, "maximum": 7]],
                "start_hour": ["type": "integer", "minimum": 0, "maximum": 23],
                "end_hour": ["type": "integer", "minimum": 0, "maximum": 24],
                "min_idle": integer("Idle job slots to keep in this window.", minimum: 0, nullable: true),
                "max_instances": integer("Instance limit in this window.", minimum: 0, nullable: true),
                "idle_timeout": ["type": ["number", "null"], "minimum": 0],
                "scale_factor": ["type": ["number", "null"], "minimum": 0],
            ],
        ]
        return [
            "type": ["object", "null"], "additionalProperties": false,
            "description": "The autoscaling policy (Docs/autoscaling.md); every field has a default.",
            "properties": [
                "min_idle": integer("Idle job slots to keep ready (slots, not instances).", minimum: 0),
                "max_instances": integer("Instances alive at once (creating, running or deleting).", minimum: 0),
                "idle_timeout": number("Seconds an instance sits without jobs before it may be removed.", minimum: 0),
                "capacity_per_instance": integer("Jobs one instance runs at once.", minimum: 1),
                "scale_factor": number("Extra idle slots as a factor of busy slots.", minimum: 0),
                "scale_factor_limit": integer("Cap on the idle slots scale_factor asks for.", minimum: 0, nullable: true),
                "max_use_count": integer("Jobs an instance may start before it is retired.", minimum: 1, nullable: true),
                "registration_timeout": number("Seconds a new instance has for its agent to register.", minimum: 0.001),
                "labels": ["type": "array", "items": ["type": "string"], "description": "Labels this provider's runners carry."],
                "architecture": ["type": ["string", "null"], "description": "The architecture of this provider's machines."],
                "idle_offer": ["type": ["string", "null"], "description": "The offer used for idle capacity; the cheapest by default."],
                "windows": ["type": "array", "items": window],
                "time_zone": ["type": ["string", "null"], "description": "The zone the windows are written in; UTC by default."],
            ],
        ]
    }

    /// This configuration with `patch` (RFC 7396) applied, checked against ``jsonSchema`` and for consistency.
    ///
    /// Throws a ``CoreError`` naming the first offending field (`rate_limits.authenticated_per_minute`), which the
    /// server answers as 422.
    public func validated(mergePatch patch: JSONValue) throws(CoreError) -> ServerConfiguration {
        guard patch.objectValue != nil else {
            throw CoreError(.validationFailed, "A configuration patch must be a JSON object", field: "")
        }
        let current: JSONValue
        do { current = try JSONValue(encoding: self) } catch {
            throw CoreError(.internalError, "Could not encode the current configuration: \(error)")
        }
        let merged = current.applyingMergePatch(patch)
        try JSONSchemaValidator.validate(merged, against: Self.jsonSchema)
        let configuration = try applying(mergePatch: patch)
        try configuration.validate()
        return configuration
    }

    /// Checks what the schema cannot say: relations between fields.
    public func validate() throws(CoreError) {
        if instances.portRangeEnd < instances.portRangeStart {
            throw CoreError.invalid("instances.port_range_end", "must not be below instances.port_range_start")
        }
        if webhooks.maxBackoffSeconds < webhooks.initialBackoffSeconds {
            throw CoreError.invalid("webhooks.max_backoff_seconds", "must not be below webhooks.initial_backoff_seconds")
        }
        if runners.offlineAfterSeconds < runners.heartbeatIntervalSeconds {
            throw CoreError.invalid("runners.offline_after_seconds", "must not be below runners.heartbeat_interval_seconds")
        }
        var names = Set<String>()
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        for (index, provider) in providers.enumerated() {
            guard !provider.name.isEmpty, provider.name.count <= 64, provider.name.allSatisfy(allowed.contains) else {
                throw CoreError.invalid("providers[\(index)].name", "must be 1 to 64 letters, digits, '-', '_' or '.'")
            }
            guard names.insert(provider.name).inserted else {
                throw CoreError.invalid("providers[\(index)].name", "'\(provider.name)' is configured twice")
            }
            do {
                _ = try provider.autoscalingPolicy()
            } catch {
                let field = "providers[\(index)].\(error.field ?? "policy")"
                let inner = error.field ?? ""
                let message = error.message.hasPrefix(inner + ": ") ? String(error.message.dropFirst(inner.count + 2)) : error.message
                throw CoreError.invalid(field, message)
            }
        }

        var usernames = Set<String>()
        for (index, user) in auth.users.enumerated() where !usernames.insert(user.username).inserted {
            throw CoreError.invalid("auth.users[\(index)].username", "'\(user.username)' is configured twice")
        }
    }
}
