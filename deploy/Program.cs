using TrainingWorkers.Deploy;

// The CDK app (cdk.json runs it): `make synth` writes deploy/cdk.out/{fleet}-data.template.json and {fleet}-fleet.template.json.
try
{
    FleetApp.Create().App.Synth();
    return 0;
}
catch (DeploySettingsException e)
{
    await Console.Error.WriteLineAsync("tw-deploy: " + e.Message).ConfigureAwait(false);
    return 2;
}
catch (ImageContractException e)
{
    await Console.Error.WriteLineAsync("tw-deploy: the image's configuration: " + e.Message).ConfigureAwait(false);
    return 2;
}
