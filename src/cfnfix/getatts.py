"""The attributes ``Fn::GetAtt`` accepts on a resource type, as cfn-lint 1.x judges them, computed
from the provider schema files cfnfix reads anyway: importing cfn-lint to ask it costs about a
second per process (issue 21), and cfn-lint is never imported at run time.

The tables and rules below follow ``cfnlint/schema/_getatts.py`` (cfn-lint is MIT-0);
``tests/test_engine_speed.py`` checks the result against cfn-lint's for every resource type.
"""

from __future__ import annotations

from typing import Any

# Resource types whose every property (nested objects walked, arrays of scalars included) is an attribute
_ALL_PROPERTY_TYPES = frozenset([
    "AWS::Amplify::Branch",
    "AWS::Amplify::Domain",
    "AWS::AppSync::DomainName",
    "AWS::AppSync::FunctionConfiguration",
    "AWS::AppSync::Resolver",
    "AWS::AutoScaling::AutoScalingGroup",
    "AWS::Backup::BackupSelection",
    "AWS::Backup::BackupVault",
    "AWS::Backup::LogicallyAirGappedBackupVault",
    "AWS::CodeArtifact::Domain",
    "AWS::CodeArtifact::Repository",
    "AWS::EC2::CapacityReservation",
    "AWS::EC2::Instance",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::Subnet",
    "AWS::EC2::VPC",
    "AWS::EFS::MountTarget",
    "AWS::EKS::Nodegroup",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::Events::EventBus",
    "AWS::EventSchemas::Discoverer",
    "AWS::EventSchemas::Registry",
    "AWS::EventSchemas::Schema",
    "AWS::GameLift::GameSessionQueue",
    "AWS::GameLift::MatchmakingConfiguration",
    "AWS::GameLift::MatchmakingRuleSet",
    "AWS::Grafana::Workspace",
    "AWS::Greengrass::ConnectorDefinition",
    "AWS::Greengrass::CoreDefinition",
    "AWS::Greengrass::DeviceDefinition",
    "AWS::Greengrass::FunctionDefinition",
    "AWS::Greengrass::Group",
    "AWS::Greengrass::LoggerDefinition",
    "AWS::Greengrass::ResourceDefinition",
    "AWS::Greengrass::SubscriptionDefinition",
    "AWS::ImageBuilder::Component",
    "AWS::ImageBuilder::ContainerRecipe",
    "AWS::ImageBuilder::DistributionConfiguration",
    "AWS::ImageBuilder::ImagePipeline",
    "AWS::ImageBuilder::ImageRecipe",
    "AWS::ImageBuilder::InfrastructureConfiguration",
    "AWS::ManagedBlockchain::Node",
    "AWS::Neptune::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBParameterGroup",
    "AWS::RedshiftServerless::Workgroup",
    "AWS::RoboMaker::RobotApplication",
    "AWS::RoboMaker::SimulationApplication",
    "AWS::Route53Resolver::ResolverRule",
    "AWS::Route53Resolver::ResolverRuleAssociation",
    "AWS::S3::AccessPoint",
    "AWS::SageMaker::DataQualityJobDefinition",
    "AWS::SageMaker::ModelBiasJobDefinition",
    "AWS::SageMaker::ModelExplainabilityJobDefinition",
    "AWS::SageMaker::ModelQualityJobDefinition",
    "AWS::SageMaker::MonitoringSchedule",
    "AWS::SNS::Topic",
    "AWS::SQS::Queue",
    "AWS::SSM::Parameter",
    "AWS::StepFunctions::Activity",
])

# Non registry resources that have a difference between readOnlyProperties
# what is supported by GetAtt
_EXCEPTIONS = {
    "AWS::AppMesh::GatewayRoute": [
        "GatewayRouteName",
        "MeshName",
        "MeshOwner",
        "VirtualGatewayName",
    ],
    "AWS::AppMesh::Mesh": [
        "MeshName",
    ],
    "AWS::AppMesh::Route": [
        "MeshName",
        "MeshOwner",
        "RouteName",
        "VirtualRouterName",
    ],
    "AWS::AppMesh::VirtualGateway": [
        "MeshName",
        "MeshOwner",
        "VirtualGatewayName",
    ],
    "AWS::AppMesh::VirtualNode": [
        "MeshName",
        "MeshOwner",
        "VirtualNodeName",
    ],
    "AWS::AppMesh::VirtualRouter": [
        "MeshName",
        "MeshOwner",
        "VirtualRouterName",
    ],
    "AWS::AppMesh::VirtualService": [
        "MeshName",
        "MeshOwner",
        "VirtualServiceName",
    ],
    "AWS::AppSync::DataSource": [
        "Name",
    ],
    "AWS::Cloud9::EnvironmentEC2": [
        "Name",
    ],
    "AWS::CloudWatch::InsightRule": [
        "RuleName",
    ],
    "AWS::DocDB::DBCluster": [
        "Port",
    ],
    "AWS::Greengrass::ConnectorDefinition": [
        "Name",
    ],
    "AWS::Greengrass::CoreDefinition": [
        "Name",
    ],
    "AWS::Greengrass::DeviceDefinition": [
        "Name",
    ],
    "AWS::Greengrass::FunctionDefinition": [
        "Name",
    ],
    "AWS::Greengrass::Group": [
        "Name",
        "RoleArn",
    ],
    "AWS::Greengrass::LoggerDefinition": [
        "Name",
    ],
    "AWS::Greengrass::ResourceDefinition": [
        "Name",
    ],
    "AWS::Greengrass::SubscriptionDefinition": [
        "Name",
    ],
    "AWS::IoT1Click::Device": [
        "Enabled",
    ],
    "AWS::IoT1Click::Placement": [
        "PlacementName",
        "ProjectName",
    ],
    "AWS::IoT1Click::Project": [
        "ProjectName",
    ],
    "AWS::Kinesis::StreamConsumer": [
        "ConsumerName",
        "StreamARN",
    ],
    "AWS::ManagedBlockchain::Member": [
        "NetworkId",
    ],
    "AWS::MediaConvert::JobTemplate": [
        "Name",
    ],
    "AWS::MediaConvert::Preset": [
        "Name",
    ],
    "AWS::MediaConvert::Queue": [
        "Name",
    ],
    "AWS::MediaLive::Input": [
        "Destinations",
        "Sources",
    ],
    "AWS::OpsWorks::Instance": ["AvailabilityZone"],
    "AWS::OpsWorks::UserProfile": ["SshUsername"],
    "AWS::Route53Resolver::ResolverEndpoint": [
        "Direction",
        "Name",
    ],
    "AWS::SageMaker::CodeRepository": ["CodeRepositoryName"],
    "AWS::SageMaker::Endpoint": [
        "EndpointName",
    ],
    "AWS::SageMaker::EndpointConfig": ["EndpointConfigName"],
    "AWS::SageMaker::Model": ["ModelName"],
    "AWS::SageMaker::NotebookInstance": ["NotebookInstanceName"],
    "AWS::SageMaker::NotebookInstanceLifecycleConfig": [
        "NotebookInstanceLifecycleConfigName"
    ],
    "AWS::SageMaker::Workteam": ["WorkteamName"],
    "AWS::ServiceDiscovery::Service": ["Name"],
    "AWS::Transfer::User": [
        "ServerId",
        "UserName",
    ],
}

_UNNAMED_UNKNOWN_TYPES = ("Custom::", "AWS::CloudFormation::CustomResource", "Module")


def getatts(type_name: str, schema: dict) -> list[str]:
    """Attribute names (some are regular expressions, such as ``Outputs\\..*``) in cfn-lint's order."""
    attrs: dict[str, str] = {}
    if type_name in _ALL_PROPERTY_TYPES:
        for name, value in (schema.get("properties") or {}).items():
            _walk(value, schema, f"/properties/{name}", attrs)
        return list(attrs)
    for name in _EXCEPTIONS.get(type_name, ()):
        attrs[_attr(f"/properties/{name}")] = f"/properties/{name}"
    if type_name in ("AWS::CloudFormation::Stack", "AWS::Serverless::Application"):
        attrs["Outputs\\..*"] = "/properties/CfnLintStringType"
        return list(attrs)
    if type_name == "AWS::ServiceCatalog::CloudFormationProvisionedProduct":
        for pointer in schema.get("readOnlyProperties", []):
            if pointer == "/properties/Outputs":
                attrs["Outputs\\..*"] = "/properties/CfnLintStringType"
            else:
                attrs[_attr(pointer)] = pointer
        return list(attrs)
    if type_name.startswith(_UNNAMED_UNKNOWN_TYPES):
        attrs[".*"] = "/properties/CfnLintAllTypes"
    for pointer in schema.get("readOnlyProperties", []):
        attrs[_attr(pointer)] = pointer
    return list(attrs)


def _attr(pointer: str) -> str:
    return ".".join(pointer.split("/")[2:])


def _walk(obj: dict, schema: dict, path: str, attrs: dict[str, str]) -> None:
    types = obj.get("type")
    types = types if isinstance(types, list) else [types]
    if "object" in types:
        for prop, value in obj.get("properties", {}).items():
            _walk(value, schema, f"{path}/{prop}", attrs)
    elif "array" in types:
        # GetAtt does not reach into arrays of objects or of arrays, only arrays of scalars
        if obj.get("items", {}).get("type") in ["object", "array"]:
            return
        attrs[_attr(path)] = path
    elif obj.get("$ref"):
        _walk(_resolve(schema, obj["$ref"]), schema, path, attrs)
    else:
        attrs[_attr(path)] = path


def _resolve(schema: dict, ref: str) -> Any:
    """One step of a local JSON pointer (``#/definitions/Name``); KeyError when it leads nowhere."""
    if not ref.startswith("#"):
        raise KeyError(ref)
    target: Any = schema
    for part in [p for p in ref[1:].split("/") if p]:
        part = part.replace("~1", "/").replace("~0", "~")
        target = target[int(part)] if isinstance(target, list) else target[part]
    return target
