using System.CommandLine.Parsing;

namespace MLNetExtensions.Samples.Commands;

/// <summary>Validators shared by the commands' options, so that a bad value is refused while parsing, naming the option.</summary>
internal static class CommandOptions
{
    /// <summary>Refuses a count below 1 (steps, epochs, trials). A value that is no integer is left to the parser's own error.</summary>
    public static void AtLeastOne(OptionResult result)
    {
        if (result.Tokens.Count > 0 && int.TryParse(result.Tokens[^1].Value, out int value) && value < 1)
        {
            result.AddError($"{result.IdentifierToken?.Value ?? result.Option.Name} must be at least 1 (was {value}).");
        }
    }
}
