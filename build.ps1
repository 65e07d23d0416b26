#!/usr/bin/env pwsh
<#
.SYNOPSIS
Builds the solution, runs the tests, packs the NuGet packages into artifacts/packages and runs the
benchmarks.

.DESCRIPTION
PowerShell comes from the repository's tool manifest, so a machine with only the .NET SDK runs:
    dotnet tool restore
    dotnet pwsh build.ps1
The machine packages the tests need are installed by ./.ci/install-prerequisites.

.PARAMETER Configuration
The build configuration. Default: Release.

.PARAMETER SkipTests
Do not run the test suite.

.PARAMETER SkipBenchmarks
Do not run the benchmarks.

.PARAMETER QuickBenchmarks
Run the benchmarks on small inputs (a smoke run, not a measurement).

.PARAMETER StrictBenchmarks
Fail when a benchmark misses its target. By default a missed target is printed as a warning, because
timings on a shared or loaded machine say little; a benchmark that cannot run always fails.
#>
[CmdletBinding()]
param(
    [string] $Configuration = 'Release',
    [switch] $SkipTests,
    [switch] $SkipBenchmarks,
    [switch] $QuickBenchmarks,
    [switch] $StrictBenchmarks
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Set-Location -LiteralPath $PSScriptRoot

$solution = 'OsvImageTools.slnx'
$packages = Join-Path $PSScriptRoot 'artifacts/packages'

# Runs one native command and stops the script when it fails.
function Invoke-Step {
    param([string] $Name, [scriptblock] $Command)
    Write-Host "== $Name"
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    & $Command
    if ($LASTEXITCODE -ne 0) {
        throw "$Name failed with exit code $LASTEXITCODE."
    }
    Write-Host ("== $Name done in {0:0.0} s" -f $watch.Elapsed.TotalSeconds)
}

Invoke-Step 'build' { dotnet build $solution --configuration $Configuration }

if (-not $SkipTests) {
    Invoke-Step 'test' { dotnet test $solution --configuration $Configuration --no-build }
}

Invoke-Step 'pack' {
    if (Test-Path -LiteralPath $packages) {
        Remove-Item -LiteralPath $packages -Recurse -Force
    }
    dotnet pack $solution --configuration $Configuration --no-build --output $packages
}
Get-ChildItem -LiteralPath $packages -Filter '*.nupkg' | ForEach-Object { Write-Host "   $($_.Name)" }

if (-not $SkipBenchmarks) {
    $benchmarkArguments = @()
    if ($QuickBenchmarks) {
        $benchmarkArguments += '--quick'
    }
    # Osv.Benchmarks exits with 1 when a target is missed and with 2 on a usage error.
    Write-Host '== benchmarks'
    dotnet run --project bench/Osv.Benchmarks --configuration $Configuration --no-build -- @benchmarkArguments
    if ($LASTEXITCODE -eq 1 -and -not $StrictBenchmarks) {
        Write-Warning 'Some benchmark targets were missed (see the FAIL lines above); pass -StrictBenchmarks to fail the build on them.'
    }
    elseif ($LASTEXITCODE -ne 0) {
        throw "benchmarks failed with exit code $LASTEXITCODE."
    }
}
