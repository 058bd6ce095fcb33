import ArgumentParser

/// `klever`: one program for every worker role of the model registry.
@main
struct Klever: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "klever",
        abstract: "Read, convert and serve models stored as ormb packages.",
        discussion: "Errors go to stderr as one line 'error: <file>: <what is wrong>'; stdout carries only results.",
        subcommands: [
            ExtractCommand.self, ConvertCommand.self, TritonConfigCommand.self, LoginCommand.self, PushCommand.self,
            PullCommand.self, ServeInitCommand.self, ComposeServingCommand.self, JobCommand.self, ModelJobCommand.self,
            ControllerCommand.self,
        ]
    )
}
