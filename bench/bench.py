"""Time cfnfix against cfn-lint on the same templates, in CPU seconds (and wall seconds beside).

    python bench/bench.py [FOLDER]      (default: ../shared/corpus/aws-samples)
    python bench/bench.py --scaling     synthetic templates of 500 and 2,000 mixed resources,
                                        and one of about 1 MB

Each command runs once as a subprocess over the same file list, in this one run, so the
ratios compare like with like on the same machine. cfnfix runs with its default worker count;
cfn-lint with its own defaults. The figure reported is CPU time, user + system, of the child
process and every process it waited for (``getrusage(RUSAGE_CHILDREN)`` before and after):
the machine is shared, so wall time measures the neighbours as much as cfnfix. Each command
of the corpus comparison runs three times, interleaved, and the least CPU time counts. cfnfix's
bytecode is written first, as an install has it (see ``compile_cfnfix``). Prints
Markdown tables with the goals of issue 21 beside the measured figures.

``--scaling`` checks that cost grows linearly with the size of a template: four times the
resources should cost at most five times the CPU time (``check --all`` and ``apply --all
--dry-run``), and a template of about 1 MB should be fixed (``apply --all``, on a copy) in
under 10 s; each of these runs three times too, the least CPU time kept. The resources are of
the kinds real templates hold (buckets, functions with inline code and their roles and log
groups, security groups, queues, topics, instances, DB instances), written so that most fixers
have work, and refer to each other.
"""

from __future__ import annotations

import compileall
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GOALS = {"cfnfix check": 0.02, "cfnfix check --all": 0.04, "cfnfix apply --all --dry-run": 0.05}
SCALING_GOAL = 5.0  # four times the resources: at most five times the CPU time
BIG_GOAL = 10.0  # seconds to fix a 1 MB template
REPEAT = 3  # runs per command in the corpus comparison


def templates(folder: Path) -> list[str]:
    suffixes = (".yaml", ".yml", ".json", ".template")
    return sorted(str(p) for p in folder.rglob("*") if p.suffix in suffixes and p.is_file())


def timed(command: list[str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of running ``command`` to its end, its worker processes included."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


_CODE = '''import json
import os
import boto3

TABLE = os.environ.get("TABLE", "table{i}")
s3 = boto3.client("s3")


def handler(event, context):
    records = event.get("Records", [])
    for record in records:
        key = record["s3"]["object"]["key"]
        s3.head_object(Bucket=os.environ["BUCKET"], Key=key)
    return {{"statusCode": 200, "body": json.dumps({{"count": len(records), "unit": {i}}})}}
'''


def _unit(i: int) -> str:
    """Ten resources that refer to each other, as a real application stack holds them."""
    code = "".join(f"          {line}\n" if line else "\n" for line in _CODE.format(i=i).splitlines())
    return f"""  Bucket{i}:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub app-{i}-${{AWS::AccountId}}-data
      VersioningConfiguration:
        Status: Enabled
      Tags:
        - Key: unit
          Value: '{i}'
  Role{i}:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal:
              Service: lambda.amazonaws.com
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
      Policies:
        - PolicyName: data
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: ['s3:GetObject', 's3:PutObject']
                Resource: !Sub '${{Bucket{i}.Arn}}/*'
              - Effect: Allow
                Action: sqs:SendMessage
                Resource: !GetAtt Queue{i}.Arn
  Function{i}:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.8
      Handler: lambda_function.handler
      Role: !GetAtt Role{i}.Arn
      Timeout: 30
      Environment:
        Variables:
          BUCKET: !Ref Bucket{i}
          QUEUE: !Ref Queue{i}
      Code:
        ZipFile: |
{code}  LogGroup{i}:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub /aws/lambda/${{Function{i}}}
  Queue{i}:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60
      MessageRetentionPeriod: 345600
  Topic{i}:
    Type: AWS::SNS::Topic
    Properties:
      Subscription:
        - Protocol: sqs
          Endpoint: !GetAtt Queue{i}.Arn
  Group{i}:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: app {i}
      VpcId: !Ref VpcId
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 10.0.0.0/8
  Instance{i}:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-0abcdef1234567890
      InstanceType: t3.micro
      AvailabilityZone: us-east-1a
      SecurityGroupIds:
        - !Ref Group{i}
      Tags:
        - Key: Name
          Value: !Sub app-{i}
  Database{i}:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: mysql
      DBInstanceClass: db.t3.micro
      AllocatedStorage: '20'
      MasterUsername: admin
      MasterUserPassword: !Ref DbPassword
      VPCSecurityGroups:
        - !GetAtt Group{i}.GroupId
      Tags:
        - Key: queue
          Value: !GetAtt Queue{i}.QueueName
"""


def mixed(count: int) -> str:
    """A template of about ``count`` resources, ten kinds in units that refer to each other."""
    head = """AWSTemplateFormatVersion: '2010-09-09'
Description: synthetic application stacks for the cfnfix benchmark
Parameters:
  VpcId:
    Type: AWS::EC2::VPC::Id
  DbPassword:
    Type: String
    NoEcho: true
Resources:
"""
    return head + "".join(_unit(i) for i in range(max(1, count // 10)))


def compile_cfnfix() -> None:
    """Write cfnfix's bytecode before timing it, as ``pip install`` does for an installed package.

    cfn-lint is timed from an install whose bytecode pip wrote. An editable checkout run with
    ``PYTHONDONTWRITEBYTECODE`` set (as this machine's shell has it) would otherwise compile
    every changed module from source in every run: about 0.2 s per process, which measures
    the checkout, not cfnfix. Forced: compileall trusts bytecode whose recorded mtime matches
    the source's to the second, while the import also compares sizes, so a module replaced
    within the second it was compiled in was compiled again in every run (20 ms per process)."""
    import cfnfix
    import cfnfix.fixers

    for folder in (*cfnfix.__path__, *cfnfix.fixers.__path__):
        compileall.compile_dir(folder, quiet=1, force=True)


def _cli(*args: str) -> list[str]:
    return [str(BIN / "cfnfix"), *args]


def interleaved(commands: dict[str, list[str]], before: Callable[[], None] = lambda: None) -> dict[str, list[tuple[float, float]]]:
    """The (CPU, wall) seconds of each of REPEAT interleaved runs of each command; ``before`` runs
    ahead of each one (to restore a file a command rewrites)."""
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(REPEAT):
        for name, command in commands.items():
            before()
            runs[name].append(timed(command))
    return runs


def least(commands: dict[str, list[str]], before: Callable[[], None] = lambda: None) -> dict[str, tuple[float, float]]:
    """The least (CPU, wall) seconds of each command over REPEAT interleaved runs. A shared
    machine only ever adds time, so the minimum is the best estimate of a command's own cost."""
    return {name: min(found) for name, found in interleaved(commands, before).items()}


def scaling() -> None:
    print(f"Each command run {REPEAT} times, interleaved, the least CPU time kept\n")
    print("| resources | bytes | check --all CPU s (wall) | apply --all --dry-run CPU s (wall) |")
    print("|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        paths = {count: Path(folder) / f"mixed{count}.yaml" for count in (500, 2_000)}
        commands = {}
        for count, path in paths.items():
            path.write_text(mixed(count))
            commands[f"check {count}"] = _cli("check", "--all", "-q", str(path))
            commands[f"apply {count}"] = _cli("apply", "--all", "--dry-run", "-q", str(path))
        times = least(commands)
        for count, path in paths.items():
            row = [f"{times[f'{name} {count}'][0]:.2f} ({times[f'{name} {count}'][1]:.2f})" for name in ("check", "apply")]
            print(f"| {count:,} | {path.stat().st_size:,} | {' | '.join(row)} |")
        ratios = [times[f"{name} 2000"][0] / times[f"{name} 500"][0] for name in ("check", "apply")]
        print(f"| 4x resources: CPU ratio (goal <= {SCALING_GOAL:g}) | | "
              + " | ".join(f"{r:.2f} {'ok' if r <= SCALING_GOAL else 'MISSED'}" for r in ratios) + " |")
        units = 10
        while len(mixed(units * 10)) < 1_000_000:
            units += 10
        big = Path(folder) / "big.yaml"
        big.write_text(mixed(units * 10))
        work = Path(folder) / "big-work.yaml"
        seconds, wall = least({"big": _cli("apply", "--all", "-q", str(work))},
                              before=lambda: shutil.copy(big, work))["big"]
        print("\n| 1 MB template | resources | bytes | apply --all CPU s (wall) | goal |")
        print("|---|---:|---:|---:|---|")
        verdict = "ok" if seconds < BIG_GOAL else "MISSED"
        print(f"| big.yaml | {units * 10:,} | {big.stat().st_size:,} | {seconds:.2f} ({wall:.2f}) | < {BIG_GOAL:g} s: {verdict} |")


def main() -> None:
    compile_cfnfix()
    if sys.argv[1:] == ["--scaling"]:
        scaling()
        return
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus" / "aws-samples"
    files = templates(folder)
    rows = [
        ("cfn-lint", [str(BIN / "cfn-lint"), *files]),
        ("cfnfix check", _cli("check", "--ignore-non-templates", "-q", *files)),
        ("cfnfix check --all", _cli("check", "--all", "--ignore-non-templates", "-q", *files)),
        ("cfnfix apply --all --dry-run", _cli("apply", "--all", "--dry-run", "--ignore-non-templates", "-q", *files)),
    ]
    runs = interleaved(dict(rows))
    times = {name: min(found) for name, found in runs.items()}
    base_cpu, base_wall = times["cfn-lint"]
    print(f"{len(files)} files under {folder}; each command run {REPEAT} times, the least CPU time kept\n")
    # every run's CPU time beside the least: on a shared machine the same code's runs spread
    # by 10% and more, so a verdict near its goal can go either way from one run to the next
    print("| command | CPU s | wall s | CPU share of cfn-lint | goal | CPU s of each run |")
    print("|---|---:|---:|---:|---|---|")
    for name, (cpu, wall) in times.items():
        goal = GOALS.get(name)
        ratio = cpu / base_cpu
        verdict = "" if goal is None else f"<= {goal:.2f}x: {'ok' if ratio <= goal else 'MISSED'}"
        each = ", ".join(f"{run_cpu:.2f}" for run_cpu, _ in runs[name])
        print(f"| {name} | {cpu:.2f} | {wall:.2f} | {ratio:.3f}x | {verdict} | {each} |")


if __name__ == "__main__":
    main()
