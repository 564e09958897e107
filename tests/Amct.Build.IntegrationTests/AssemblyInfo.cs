// Builds share the machine's two cores and one package feed; running them one at a time keeps timings honest.
[assembly: Microsoft.VisualStudio.TestTools.UnitTesting.DoNotParallelize]
