import ArgumentParser
import ControllerLite
import Foundation
import ModelPackage

struct JobCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job",
        abstract: "The ModelJob worker, as a Job's container runs it: pull, extract or convert, push.",
        discussion: """
            Driven by the variables the controller sets: SOURCE_MODEL_TAG, DESTINATION_MODEL_TAG \
            ('empty' for an extraction, which pushes back to the source tag; a bare tag names a tag \
            of the source's repository), SOURCE_FORMAT, FORMAT, EXTRACTOR, SOURCE_MODEL_PATH, \
            DESTINATION_MODEL_PATH, SERVER_ORMB_DOMAIN (empty: the local store KLEVER_STORE), \
            SERVER_ORMB_USERNAME, SERVER_ORMB_PASSWORD, and INPUTS for a conversion. Logs one line \
            per step; prints the pushed digest. Exit codes: 10000 login, 10001 pull, 10002 export, \
            10003 extract/convert, 10004 save, 10005 push (a parent sees them modulo 256), 64 a wrong variable.
            """
    )

    func run() throws {
        try CommandRunner.run {
            let logger = CommandRunner.logger("job")
            let request = try WorkerRequest(environment: ProcessInfo.processInfo.environment)
            let stores = try WorkerStores.open(for: request, logger: logger)
            let digest = try ModelJobWorker(request: request, stores: stores, logger: logger).run()
            FileHandle.standardOutput.write(Data("\(digest)\n".utf8))
        }
    }
}
