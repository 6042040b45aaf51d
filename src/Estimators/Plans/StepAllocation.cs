namespace MLNetExtensions.Estimators.Plans;

/// <summary>How a multi-stage plan divides its optimiser steps among the stages that grow the encoder.</summary>
public enum StepAllocation
{
    /// <summary>Every growth stage gets the same number of steps.</summary>
    Equal,

    /// <summary>Each growth stage gets steps in proportion to its depth (deeper stages train longer).</summary>
    ProportionalToDepth,

    /// <summary>Each growth stage gets the fraction given in <see cref="MultiStagePlanSettings.ExplicitStepFractions"/>.</summary>
    Explicit,
}
