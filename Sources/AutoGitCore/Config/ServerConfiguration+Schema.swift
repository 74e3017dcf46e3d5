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
                    ]),
                "providers": [
                    "type": "array", "description": "Fleeting plugins that provision runners.",
                    "items": object(
                        "A configured plugin.",
                        [
                            "name": ["type": "string", "minLength": 1],
                            "type": ["type": "string", "minLength": 1, "description": "local, ssh, slurm or external."],
                            "settings": ["type": "object", "description": "Passed to the plugin's initialize."],
                            "policy": ["type": ["object", "null"], "description": "Autoscaling policy."],
                        ], required: ["name", "type"]),
                ],
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
        for (index, provider) in providers.enumerated() where !names.insert(provider.name).inserted {
            throw CoreError.invalid("providers[\(index)].name", "'\(provider.name)' is configured twice")
        }
        var usernames = Set<String>()
        for (index, user) in auth.users.enumerated() where !usernames.insert(user.username).inserted {
            throw CoreError.invalid("auth.users[\(index)].username", "'\(user.username)' is configured twice")
        }
    }
}
