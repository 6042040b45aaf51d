using System.CommandLine.Parsing;

namespace MLNetExtensions.Samples.Commands;

/// <summary>Validators shared by the commands' options, so that a bad value is refused while parsing, naming the option.</summary>
internal static class CommandOptions
{
    /// <summary>Refuses a count below 1 (steps, epochs, trials).</summary>
    public static void AtLeastOne(OptionResult result)
    {
        if (result.GetValueOrDefault<int>() < 1)
        {
            result.AddError($"{result.IdentifierToken?.Value ?? result.Option.Name} must be at least 1 (was {result.GetValueOrDefault<int>()}).");
        }
    }
}
