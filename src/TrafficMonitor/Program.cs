using TrafficMonitor.Cli;

return await CliApplication.RunAsync(args).ConfigureAwait(false);
