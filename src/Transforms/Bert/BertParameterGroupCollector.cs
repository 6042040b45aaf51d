using TorchSharp;
using TorchSharp.Modules;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>Builds <see cref="BertParameterGroup"/>s, listing each parameter object only once across all groups.</summary>
internal sealed class BertParameterGroupCollector
{
    private readonly HashSet<Parameter> seen = new(ReferenceEqualityComparer.Instance);
    private readonly List<BertParameterGroup> groups = new();

    public IReadOnlyList<BertParameterGroup> Groups => groups;

    public void Add(string groupName, BertParameterGroupKind kind, int? layerIndex, torch.nn.Module module, string prefix)
    {
        var parameters = new List<(string Name, Parameter Parameter)>();
        foreach (var (name, parameter) in module.named_parameters())
        {
            if (seen.Add(parameter))
            {
                parameters.Add((prefix + name, parameter));
            }
        }

        groups.Add(new BertParameterGroup(groupName, kind, layerIndex, parameters));
    }
}
