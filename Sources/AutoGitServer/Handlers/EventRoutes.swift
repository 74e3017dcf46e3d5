import AutoGitCore
import AutoGitHTTP

/// `GET /v1/events`: every fleet event as Server-Sent Events, filtered by `types`, resumable with `Last-Event-ID`
/// (or `?last_event_id=`) from the bounded buffer of recent events.
struct EventRoutes {
    let context: APIContext

    func register(in routes: inout RouteTable) {
        routes.get("/v1/events", .read) { request in try stream(request) }
    }

    func stream(_ request: HTTPRequest) throws(ServerError) -> HTTPResponse {
        let names = request.listParameter("types")
        var types: Set<EventType>?
        if !names.isEmpty {
            var chosen = Set<EventType>()
            for name in names {
                let type = EventType(rawValue: name)
                if case .unknown = type {
                    let known = EventType.allCases.map(\.rawValue).joined(separator: ", ")
                    throw .invalidParameter("types", "'\(name)' is not an event type (\(known))")
                }
                chosen.insert(type)
            }
            types = chosen
        }
        let lastEventID = request.headers["Last-Event-ID"] ?? request.stringParameter("last_event_id")
        let events = context.events.subscribe(types: types, after: lastEventID)
        return HTTPResponse.serverSentEvents(
            EventStreamBody(events) { event in
                ServerSentEvent(id: event.id, event: event.type.rawValue, data: APIResponse.compactJSON(event))
            })
    }
}
