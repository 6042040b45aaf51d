namespace MLNetExtensions.Estimators.Data;

/// <summary>One product of "The Complete Journey" product table. Text attributes that the file leaves empty are empty strings.</summary>
/// <param name="ProductId">The product (<c>product_id</c>).</param>
/// <param name="ManufacturerId">The manufacturer (<c>manufacturer_id</c>).</param>
/// <param name="Department">The store department, e.g. <c>GROCERY</c> (<c>department</c>).</param>
/// <param name="Brand"><c>National</c> or <c>Private</c> (<c>brand</c>).</param>
/// <param name="ProductCategory">The category, e.g. <c>FRZN ICE</c> (<c>product_category</c>); may be empty.</param>
/// <param name="ProductType">The finer type, e.g. <c>ICE - CRUSHED/CUBED</c> (<c>product_type</c>); may be empty.</param>
/// <param name="PackageSize">The package size as written, e.g. <c>22 LB</c> (<c>package_size</c>); may be empty.</param>
internal sealed record CompleteJourneyProduct(
    int ProductId,
    int ManufacturerId,
    string Department,
    string Brand,
    string ProductCategory,
    string ProductType,
    string PackageSize);
