using System.CommandLine;
using HttpsFlow.Cli;

return CliApp.Run(args);
