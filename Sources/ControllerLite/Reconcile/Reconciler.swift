/// One reconcile step: from what exists now, the actions that move a ModelJob on.
///
/// Pure and level-based: it looks only at the current objects, never at what it did
/// before, so running it again (a restarted controller, a repeated event) asks for
/// nothing new. A Job is only created when none exists for a ModelJob that has not
/// finished.
public enum Reconciler {
    public enum Action: Hashable, Sendable {
        case createJob(Job)
        case updateStatus(ModelJobStatus)
    }

    public static func actions(for modelJob: ModelJob, job: Job?, pods: [Pod], settings: WorkerSettings) -> [Action] {
        let current = modelJob.status
        func update(_ status: ModelJobStatus) -> [Action] { status == current ? [] : [.updateStatus(status)] }

        if modelJob.metadata.deletionTimestamp != nil {
            return update(ModelJobStatus(phase: .deleting, message: "deleting"))
        }
        if current?.phase?.isTerminal == true { return [] }
        let task: WorkerTask
        do {
            task = try WorkerTask(modelJob)
        } catch {
            return update(ModelJobStatus(phase: .failed, message: error.message))
        }
        guard let job else {
            let created: Job
            do {
                created = try JobComposer.job(for: modelJob, task: task, settings: settings)
            } catch {
                return update(ModelJobStatus(phase: .failed, message: "cannot compose its Job: \(error)"))
            }
            return [.createJob(created)] + update(JobOutcome.status(job: created, pods: [], task: task))
        }
        return update(JobOutcome.status(job: job, pods: pods, task: task))
    }
}
