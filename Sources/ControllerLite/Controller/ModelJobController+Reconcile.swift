import Foundation

extension ModelJobController {
    /// One reconcile of a ModelJob, from the caches: the actions ``Reconciler`` asks for,
    /// applied. A ModelJob that is gone needs nothing: its Job goes with it (owner reference).
    func reconcile(_ key: ObjectKey) async throws {
        guard let modelJob = modelJobs[key] else { return }
        let job = jobs[key]
        if job == nil, let wait = expectations.withLockedValue({ $0.wait(for: key, at: .now) }) {
            // Made moments ago and not yet in the cache: its watch event queues the key.
            logger.debug("job \(key) was created; waiting for the cache to show it")
            await queue.add(key, after: wait)
            return
        }
        if let job, let uid = modelJob.metadata.uid, !job.isControlled(by: uid) {
            // The Job of an earlier ModelJob of the same name, which the garbage collector
            // has yet to remove: its status is not this one's. Its deletion queues the key.
            logger.info("job \(key) belongs to an earlier ModelJob \(key); waiting for it to go")
            return
        }
        var pods = pods.indexed(key)
        var actions = Reconciler.actions(for: modelJob, job: job, pods: pods, settings: settings)
        if job != nil, actions.contains(where: { $0.status?.phase == .failed }) {
            // A failure is final, and the pod that tells why may not be in the cache yet:
            // the Job's and the pods' watches are separate streams. Ask the server.
            pods = try await client.list(Pod.self, namespace: key.namespace, labelSelector: "\(JobComposer.modelJobLabel)=\(key.name)").items
            actions = Reconciler.actions(for: modelJob, job: job, pods: pods, settings: settings)
        }
        for action in actions {
            switch action {
            case .createJob(let job):
                try await create(job)
            case .updateStatus(let status):
                try await write(status, of: modelJob) { Reconciler.actions(for: $0, job: job, pods: pods, settings: settings) }
            }
        }
    }

    /// Creates a ModelJob's Job. One that exists is what was wanted: the cache had not
    /// seen it yet, or another controller made it.
    private func create(_ job: Job) async throws {
        do {
            _ = try await client.create(job)
            logger.info("created job \(job.key)")
        } catch let error as KubernetesError where error.isAlreadyExists {
            logger.debug("job \(job.key) exists")
        }
        expectations.withLockedValue { $0.created(job.key, at: .now) }
    }

    /// Writes a status through the status subresource. A 409 means someone wrote the
    /// ModelJob since the cache saw it: read it afresh, reconcile that (`reconcile`), and
    /// write again.
    private func write(
        _ status: ModelJobStatus, of modelJob: ModelJob, reconcile: (ModelJob) -> [Reconciler.Action]
    ) async throws {
        var target = modelJob
        var status = status
        for attempt in 1... {
            let previous = target.status
            target.status = status
            do {
                let written = try await client.updateStatus(target)
                if previous?.phase != status.phase { await record(status, of: written) }
                return
            } catch let error as KubernetesError where error.isConflict && attempt < options.conflictRetries {
                metrics.conflicted()
                logger.debug("\(error); reading \(modelJob.key) again")
            } catch let error as KubernetesError where error.isNotFound {
                return
            }
            do {
                target = try await client.get(ModelJob.self, modelJob.key)
            } catch let error as KubernetesError where error.isNotFound {
                return
            }
            guard let fresh = reconcile(target).lazy.compactMap(\.status).last else { return }
            status = fresh
        }
    }

    /// An Event for a phase change, as `kubectl describe` shows them. Best effort: a
    /// lost Event must not hold up the status.
    private func record(_ status: ModelJobStatus, of modelJob: ModelJob) async {
        let event = PhaseEvent.event(for: modelJob, status: status, component: Self.component, at: Date())
        do {
            _ = try await client.create(event)
        } catch {
            logger.warning("cannot record an event for \(modelJob.key): \(error)")
        }
    }
}

extension Job {
    /// Whether the object with this uid is the Job's controlling owner.
    func isControlled(by uid: String) -> Bool {
        metadata.ownerReferences?.contains { $0.controller == true && $0.uid == uid } == true
    }
}

extension Reconciler.Action {
    /// The status this action writes, if it writes one.
    var status: ModelJobStatus? {
        if case .updateStatus(let status) = self { return status }
        return nil
    }
}
