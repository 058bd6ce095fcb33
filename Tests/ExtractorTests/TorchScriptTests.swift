import Testing
@testable import Extractor

/// The pieces of the TorchScript reader: `forward` headers as TorchScript prints them,
/// the class index of `code/`, and the module tree of `data.pkl`.
@Suite struct TorchScriptTests {
    // MARK: forward headers

    @Test func readsTheHeaderTorchScriptPrints() throws {
        let header = try PythonDef(parsing: """
            def forward(self: __torch__.Net,
                x: Tensor,
                y: Optional[Tensor]=None,
                n: int=1,
                names: Optional[List[str]]=None,
                s: str="a, b)",
                f: float=0.5) -> Tuple[Tensor, Tensor]:
                features = self.features
                return (x, x)
            """)
        #expect(header.name == "forward")
        #expect(header.parameters.map(\.name) == ["self", "x", "y", "n", "names", "s", "f"])
        #expect(header.parameters.map(\.type) == [
            "__torch__.Net", "Tensor", "Optional[Tensor]", "int", "Optional[List[str]]", "str", "float",
        ])
        #expect(header.returnType == "Tuple[Tensor, Tensor]")
        #expect(header.returnElements == ["Tensor", "Tensor"])
    }

    @Test func keepsNestedTypesWholeAndSkipsNestedDefaults() throws {
        let header = try PythonDef(parsing: """
            def forward(this: __torch__.M, x: Tuple[Tensor, int]=(CONSTANTS.c0, 2),
                d: Dict[str, List[Tuple[int, int]]]={"a": [(1, 2)]}) -> Tuple[Tensor, Tuple[Tensor, Tensor]]:
            """)
        #expect(header.parameters.map(\.type) == ["__torch__.M", "Tuple[Tensor, int]", "Dict[str, List[Tuple[int, int]]]"])
        #expect(header.returnElements == ["Tensor", "Tuple[Tensor, Tensor]"])
    }

    @Test(arguments: [
        ("-> Tensor:", ["Tensor"]),
        ("-> Dict[str, Tensor]:", ["Dict[str, Tensor]"]),
        ("-> List[Tensor]:", ["List[Tensor]"]),
        ("-> Tuple[int]:", ["int"]),
        ("-> Tuple[()]:", []),
        ("-> NoneType:", []),
        ("-> None:", []),
        (":", []),
    ])
    func splitsTheReturnIntoValues(annotation: String, values: [String]) throws {
        #expect(try PythonDef(parsing: "def forward(self, x: Tensor) \(annotation)").returnElements == values)
    }

    /// Hand-written code may qualify types and leave parameters unannotated; comments,
    /// continuations, escaped quotes and a trailing comma are Python too.
    @Test func readsHandWrittenHeaders() throws {
        let header = try PythonDef(parsing: """
            def forward(self,  # the module
                x: torch.Tensor, \\
                label: str = 'it\\'s, (',
                y: Optional[torch.Tensor] = None,
            ) -> torch.Tensor:
            """)
        #expect(header.parameters.map(\.name) == ["self", "x", "label", "y"])
        #expect(header.parameters.map(\.type) == [nil, "Tensor", "str", "Optional[Tensor]"])
        #expect(header.returnElements == ["Tensor"])
        #expect(try PythonDef(parsing: "def forward():").parameters.isEmpty)
    }

    @Test(arguments: [
        ("def forward(self, x: Tensor", "the header ends before its ',' or ')'"),
        ("def forward(self, x: Tensor) -> Tensor", "the header ends before its ':'"),
        ("def forward(self, , x):", "empty parameter in 'forward'"),
        ("def forward(self, x: ) -> Tensor:", "empty annotation of parameter 'x'"),
        ("def forward(self, x: List[Tensor]]) -> Tensor:", "unbalanced ']'"),
        ("def forward(self, s: str=\"abc) -> Tensor:", "unterminated string literal"),
        ("def forward(self, 3: int):", "expected a parameter name, found '3'"),
        ("def forward(self) Tensor:", "expected '->' or ':' after the parameters of 'forward'"),
        ("class Net(Module):", "expected 'def'"),
    ])
    func refusesBrokenHeaders(text: String, detail: String) {
        #expect(throws: PythonSyntaxError(detail)) { try PythonDef(parsing: text) }
    }

    // MARK: code/ classes

    static let sources = [
        "__torch__.py": """
            class Net(Module):
              __parameters__ = []
              training : bool
              head : __torch__.torch.nn.modules.linear.___torch_mangle_0.Linear
              def helper(self: __torch__.Net) -> int:
                return 1
              def forward(self: __torch__.Net,
                x: Tensor) -> Tensor:
                return x
            class Config:
              k : int
              def __init__(self: __torch__.Config,
                k: int) -> NoneType:
                return None
            class Exported(Module):
              def run(self: __torch__.Exported) -> int:
                return 1

            """,
        "__torch__/torch/nn/modules/linear/___torch_mangle_0.py": """
            class Linear(Module):
              def forward(self: __torch__.torch.nn.modules.linear.___torch_mangle_0.Linear,
                input: Tensor) -> Tensor:
                return input
            """,
    ]

    @Test func indexesTheClassesOfEveryCodeFile() throws {
        let code = TorchScriptCode(sources: Self.sources)
        #expect(code.isModule("__torch__.Net"))
        #expect(code.isModule("__torch__.torch.nn.modules.linear.___torch_mangle_0.Linear"))
        #expect(!code.isModule("__torch__.Config"), "a TorchScript class, not a module")
        #expect(!code.isModule("__torch__.torch.classes.quantized.LinearPackedParamsBase"), "defined nowhere")
        #expect(code.definition(of: "__torch__.Net")?.file == "code/__torch__.py")
        #expect(code.definition(of: "__torch__.torch.nn.modules.linear.___torch_mangle_0.Linear")?.file
            == "code/__torch__/torch/nn/modules/linear/___torch_mangle_0.py")
    }

    @Test func findsForwardInItsOwnClassOnly() throws {
        let code = TorchScriptCode(sources: Self.sources)
        let net = try #require(code.definition(of: "__torch__.Net")?.forwardText)
        #expect(try PythonDef(parsing: net).parameters.map(\.name) == ["self", "x"])
        #expect(code.definition(of: "__torch__.Config")?.forwardText == nil)
        #expect(code.definition(of: "__torch__.Exported")?.forwardText == nil)
    }

    // MARK: module tree

    private static func module(_ id: Int, _ className: String, _ attributes: [(String, PickleValue)] = []) -> PickleObject {
        PickleObject(
            id: id, className: className, arguments: [],
            state: .dict(attributes.map { PickleDictEntry(key: .string($0.0), value: $0.1) }))
    }

    /// Every class is a module but `Config`, a TorchScript class.
    private static func isModule(_ className: String) -> Bool { !className.hasSuffix("Config") }

    @Test func countsLeafModulesByTypeOnce() {
        let linear = Self.module(4, "__torch__.torch.nn.modules.linear.___torch_mangle_0.Linear")
        let root = Self.module(0, "__torch__.Net", [
            ("training", .bool(true)),
            ("features", .object(Self.module(1, "__torch__.torch.nn.modules.container.Sequential", [
                ("0", .object(Self.module(2, "__torch__.torch.nn.modules.conv.Conv2d", [("training", .bool(true))]))),
                ("1", .object(Self.module(3, "__torch__.torch.nn.modules.activation.ReLU"))),
            ]))),
            ("head", .object(linear)),
            ("alias", .object(linear)),
            ("other", .object(Self.module(5, "__torch__.torch.nn.modules.linear.Linear"))),
            ("config", .object(Self.module(6, "__torch__.Config"))),
            ("block", .object(Self.module(7, "__torch__.MyBlock", [("act", .object(Self.module(8, "__torch__.Swish")))]))),
        ])
        #expect(ModuleTree.leafCounts(root: root, isModule: Self.isModule(_:)) == [
            "Conv2d": 1, "ReLU": 1, "Linear": 2, "Swish": 1,
        ])
    }

    @Test func aRootWithoutSubmodulesHasNoLayers() {
        let root = Self.module(0, "__torch__.AdditionModel", [("training", .bool(true))])
        #expect(ModuleTree.leafCounts(root: root, isModule: Self.isModule(_:)).isEmpty)
    }
}
