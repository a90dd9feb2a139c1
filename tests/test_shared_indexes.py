"""Unit tests of what fixers share per document or per process (issue 21): parsed inline Python,
the reference index and graph of a document, the per-document memo, and unique-names' search."""


from cfnfix import memo, python_code
from cfnfix.cycles import document_graph, document_index
from cfnfix.document import parse
from cfnfix.names import TextIndex
from cfnfix.graph import cycles, dependency_graph, edges, reference_paths

NESTED_IMPORTS = """
import a.b, c
from d.e import f
from . import g
if x:
    import j
elif y:
    import k
else:
    import l
try:
    import m
except E:
    import n
else:
    import p
finally:
    import q
class C:
    import r
    def f(self):
        with z: import s
for x in y:
    import t
else:
    import u
while 1: import v; import w
match x:
    case 1:
        import xx
async def h(a, b):
    async with a:
        import yy
"""


def test_imports_are_found_in_every_kind_of_block():
    module = python_code.parse(NESTED_IMPORTS)
    found = sorted(tuple(n) for n in python_code.imports(module))
    assert found == [("a.b", "c"), ("d.e",), ("j",), ("k",), ("l",), ("m",), ("n",), ("p",), ("q",), ("r",),
                     ("s",), ("t",), ("u",), ("v",), ("w",), ("xx",), ("yy",)]
    assert python_code.functions(module) == {"h": 2}


def test_code_is_parsed_once_and_python_2_is_none():
    assert python_code.parse("x = 1\n") is python_code.parse("x = 1\n")
    assert python_code.parse("print 'hello'\n") is None


def test_document_index_and_graph_match_the_plain_functions():
    doc = parse("""Resources:
  A:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: !Sub '${B.Arn}-${C}'
  B:
    Type: AWS::SQS::Queue
    DependsOn: C
  C:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !GetAtt A.TopicName
""")
    resources = doc.resources
    assert document_graph(doc) == dependency_graph(resources) == {"A": {"B", "C"}, "B": {"C"}, "C": {"A"}}
    assert document_graph(doc) is document_graph(doc)
    index = document_index(doc)
    for source in resources:
        for target in resources:
            assert edges(resources, source, target, index) == edges(resources, source, target)


def test_document_index_read_off_the_reference_walk_matches_a_walk_of_each_resource():
    doc = parse("""Resources:
  A:
    Type: AWS::SNS::Topic
    Condition: C
    DependsOn: [B]
    Properties:
      DisplayName: !Sub ['${B.Arn}-${Local}-${AWS::Region}-${!Skip}', {Local: !Ref C, Other: [!GetAtt [B, !Ref P]]}]
      Tags: [{Key: k, Value: {Ref: {Fn::If: [Cond, !Ref B, x]}}}, {Key: j, Value: !GetAtt [C]}]
      Policy: {Fn::GetAtt: [{Ref: B}, !Ref C]}
      Odd: {Fn::Sub: {Ref: B}}
      Pseudo: [!Ref AWS::StackName, !Ref 'AWS::NoValue']
    Metadata: {M: !FindInMap [Map, !Ref B, !Ref C]}
  B: {Type: AWS::SQS::Queue, Properties: {QueueName: !Sub '${A}', N: !GetAtt C.Arn}}
  C: {Ref: A}
  D: [not, a, mapping]
Outputs:
  O: {Value: !Ref A}
""")
    index = document_index(doc)
    assert index == {name: reference_paths(res) for name, res in doc.resources.items() if isinstance(res, dict)}
    assert list(index) == ["A", "B", "C"] and list(index["A"]) == ["B", "C", "P"]


def test_cycles_passing_over_resources_that_need_nothing_keeps_components_and_order():
    graph = {"A": {"S", "Z1"}, "B": {"C", "S"}, "C": {"B"}, "S": set(), "Z1": {"Z2", "S"}, "Z2": {"Z1"},
             "Y": {"A", "T"}, "T": set()}
    assert cycles(graph) == [["Z1", "Z2"], ["B", "C"]]
    assert cycles({"A": {"B"}, "B": set(), "C": {"missing"}}) == []


def test_memo_values_are_computed_once_per_parse():
    text = "Resources: {}\n"
    doc = parse(text)
    assert memo.cached(doc, "k", lambda: [1]) is memo.cached(doc, "k", lambda: [2])
    assert memo.cached(parse(text), "k", lambda: [2]) == [2]  # a new parse computes afresh


def test_text_index_finds_exactly_the_texts_holding_the_name_in_order():
    texts = ["alpha", "", "beta-alpha", "gamma", "alphabet", "x\0alpha"]
    for needle in ("alpha", "", "a", "zeta", "\0al"):
        assert TextIndex(texts).containing(needle) == [i for i, t in enumerate(texts) if needle in t]
    assert TextIndex([]).containing("") == []


def test_document_cycles_are_taken_from_the_last_search_only_for_an_equal_graph():
    from cfnfix.cycles import document_cycles

    looped = "Resources:\n  A: {Type: AWS::SQS::Queue, Properties: {Q: !Ref B}}\n  B: {Type: AWS::SQS::Queue, Properties: {Q: !Ref A}}\n"
    first = parse(looped)
    assert document_cycles(first) == [["A", "B"]]
    again = parse(looped.replace("Properties: {Q: !Ref A}", "DependsOn: A, Properties: {Q: !Ref A}"))  # the same edges
    assert document_cycles(again) == [["A", "B"]]
    # the same resources, one reference fewer: no cycle, though only one edge differs
    broken = parse(looped.replace("Q: !Ref A", "Q: x"))
    assert document_cycles(broken) == []
    assert document_cycles(parse(looped)) == [["A", "B"]]
