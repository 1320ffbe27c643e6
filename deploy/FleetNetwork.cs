using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Constructs;

namespace TrainingWorkers.Deploy;

/// <summary>
/// Where the workers run: an existing VPC's subnets (parameters VpcId and SubnetIds), or, when VpcId is empty, a
/// new VPC of public subnets in two zones with S3 and DynamoDB gateway endpoints and no NAT gateway (workers need
/// only outbound traffic; public addresses cost nothing at rest, a NAT gateway costs by the hour and by the byte).
/// The workers' security group admits nothing from outside, and every port from its own members, for the ranks
/// of multi-node jobs.
/// </summary>
internal sealed class FleetNetwork : Construct
{
    public FleetNetwork(Construct scope, string id) : base(scope, id)
    {
        var vpcId = new CfnParameter(Stack.Of(this), "VpcId", new CfnParameterProps
        {
            Type = "String", Default = "", AllowedPattern = "^$|^vpc-[0-9a-f]+$",
            Description = "An existing VPC for the workers; empty to create one",
        });
        var subnetIds = new CfnParameter(Stack.Of(this), "SubnetIds", new CfnParameterProps
        {
            Type = "CommaDelimitedList", Default = "",
            Description = "The existing VPC's subnets for the workers (with a route to the internet or to S3, SQS, DynamoDB, CloudWatch endpoints); ignored when VpcId is empty",
        });
        var create = new CfnCondition(this, "CreateVpc", new CfnConditionProps { Expression = Fn.ConditionEquals(vpcId.ValueAsString, "") });

        var vpc = new Vpc(this, "Vpc", new VpcProps
        {
            MaxAzs = 2, NatGateways = 0,
            SubnetConfiguration = [new SubnetConfiguration { Name = "workers", SubnetType = SubnetType.PUBLIC, CidrMask = 20 }],
            GatewayEndpoints = new Dictionary<string, IGatewayVpcEndpointOptions>
            {
                ["S3"] = new GatewayVpcEndpointOptions { Service = GatewayVpcEndpointAwsService.S3 },
                ["DynamoDB"] = new GatewayVpcEndpointOptions { Service = GatewayVpcEndpointAwsService.DYNAMODB },
            },
        });
        // The new VPC exists only without an existing one: every resource of it carries the condition.
        foreach (var child in vpc.Node.FindAll())
        {
            if (child is CfnResource resource) resource.CfnOptions.Condition = create;
        }

        // jsii cannot hand a condition's value to Token.AsString; its ToString() is the same string token. A list
        // goes through a comma-joined string.
        VpcId = Fn.ConditionIf(create.LogicalId, vpc.VpcId, vpcId.ValueAsString).ToString()!;
        SubnetIds = Fn.Split(",", Fn.ConditionIf(create.LogicalId, Fn.Join(",", vpc.PublicSubnets.Select(s => s.SubnetId).ToArray()),
            Fn.Join(",", subnetIds.ValueAsList)).ToString()!);

        SecurityGroup = new CfnSecurityGroup(this, "WorkersSecurityGroup", new CfnSecurityGroupProps
        {
            GroupDescription = "TrainingWorkers workers: no inbound from outside; all traffic among workers (multi-node ranks)",
            VpcId = VpcId,
            SecurityGroupEgress = new object[] { new CfnSecurityGroup.EgressProperty { IpProtocol = "-1", CidrIp = "0.0.0.0/0", Description = "AWS APIs, package mirrors" } },
        });
        new CfnSecurityGroupIngress(this, "WorkersFromWorkers", new CfnSecurityGroupIngressProps
        {
            GroupId = SecurityGroup.AttrGroupId, SourceSecurityGroupId = SecurityGroup.AttrGroupId, IpProtocol = "-1",
            Description = "c10d rendezvous and NCCL between the ranks of a multi-node job",
        });
    }

    public string VpcId { get; }
    public string[] SubnetIds { get; }
    public CfnSecurityGroup SecurityGroup { get; }
}
