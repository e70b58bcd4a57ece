namespace PyStockSharp.Engine.Tests;
