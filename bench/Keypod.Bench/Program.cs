using Keypod.Bench;

// One executable for every role the harness needs; bench/run.sh calls it with a verb.
return args.FirstOrDefault() switch
{
    "upstream" => await FakeUpstream.RunAsync(Arguments.Parse(args)),
    "bare-proxy" => await BareProxy.RunAsync(Arguments.Parse(args)),
    "latency" => await LatencyProbe.RunAsync(Arguments.Parse(args)),
    "stream" => await StreamProbe.RunAsync(Arguments.Parse(args)),
    "open-streams" => await OpenStreamsProbe.RunAsync(Arguments.Parse(args)),
    "load" => await LoadProbe.RunAsync(Arguments.Parse(args)),
    "setup" => await Management.SetupAsync(Arguments.Parse(args)),
    "ledger" => await Management.CountLedgerAsync(Arguments.Parse(args)),
    "report" => Report.Run(Arguments.Parse(args)),
    "seed-ledger" => await LedgerSeed.RunAsync(Arguments.Parse(args)),
    "billing" => await BillingProbe.RunAsync(Arguments.Parse(args)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Keypod.Bench upstream|bare-proxy|latency|stream|open-streams|load|setup|ledger|report|seed-ledger|billing --name value ...");
    return 2;
}
