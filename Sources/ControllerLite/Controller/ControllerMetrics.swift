import NIOConcurrencyHelpers

/// What the controller counts, for `/metrics`.
public final class ControllerMetrics: Sendable {
    /// How a reconcile ended.
    public enum ReconcileResult: String, Sendable, CaseIterable {
        case success, error
    }

    /// What became of a webhook's pushed artifact.
    public enum WebhookOutcome: String, Sendable, CaseIterable {
        /// An extraction ModelJob was created.
        case created
        /// Its ModelJob already existed (the same push again).
        case existing
        /// Not a model klever extracts, or already extracted.
        case skipped
        /// The registry or the API server could not be reached; the sender will retry.
        case failed
    }

    private struct State: Sendable {
        var reconciles: [ReconcileResult: Int] = [:]
        var latency = Histogram(bounds: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10])
        var conflicts = 0
        var webhook: [WebhookOutcome: Int] = [:]
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    func reconciled(_ result: ReconcileResult, seconds: Double) {
        state.withLockedValue {
            $0.reconciles[result, default: 0] += 1
            $0.latency.observe(seconds)
        }
    }

    func conflicted() { state.withLockedValue { $0.conflicts += 1 } }

    func webhook(_ outcome: WebhookOutcome) { state.withLockedValue { $0.webhook[outcome, default: 0] += 1 } }

    /// The Prometheus text of everything counted, with the ModelJobs by phase.
    public func render(modelJobsByPhase phases: [String: Int]) -> String {
        let state = state.withLockedValue { $0 }
        var text = PrometheusText()
        text.family(
            "klever_modeljobs", type: "gauge", help: "ModelJobs by status phase (Unknown: not reconciled yet).",
            samples: phases.sorted { $0.key < $1.key }.map { ([("phase", $0.key)], Double($0.value)) })
        text.family(
            "klever_reconcile_total", type: "counter", help: "Reconciles of a ModelJob, by result.",
            samples: ReconcileResult.allCases.map { ([("result", $0.rawValue)], Double(state.reconciles[$0] ?? 0)) })
        text.histogram("klever_reconcile_duration_seconds", help: "Time to reconcile a ModelJob.", histogram: state.latency)
        text.family(
            "klever_status_conflicts_total", type: "counter", help: "Status updates refused as stale (409) and retried.",
            samples: [([], Double(state.conflicts))])
        text.family(
            "klever_webhook_events_total", type: "counter", help: "Artifacts of Harbor push events, by outcome.",
            samples: WebhookOutcome.allCases.map { ([("outcome", $0.rawValue)], Double(state.webhook[$0] ?? 0)) })
        return text.text
    }
}
