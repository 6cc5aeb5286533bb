# export-tenant.ps1: write the tenant's accepted domains, inbound connectors
# and the relevant organisation and transport settings to one JSON file for
# eopguard (tenant.export in eopguard.conf; see eopguard.conf(5)).
#
# Run it in Exchange Online PowerShell (Connect-ExchangeOnline first; read
# permissions are enough), on Windows PowerShell 5.1 or PowerShell 7:
#
#   .\export-tenant.ps1 -Path tenant.json
#
# then copy tenant.json to the relay (e.g. /etc/eopguard/tenant.json) and
# reload eopguard (systemctl reload eopguard). The file is written as UTF-8
# without a BOM; enums are written as their names; every list is a JSON array.
param(
    [string]$Path = "tenant.json"
)
$ErrorActionPreference = "Stop"

function Get-Names($value) {
    # Enums and other objects as their names; $null stays $null.
    if ($null -eq $value) { return $null }
    return $value.ToString()
}

$domains = @(Get-AcceptedDomain | ForEach-Object {
    [ordered]@{
        DomainName                = Get-Names $_.DomainName
        DomainType                = Get-Names $_.DomainType
        Default                   = [bool]$_.Default
        MatchSubDomains           = [bool]$_.MatchSubDomains
        SendingFromDomainDisabled = [bool]$_.SendingFromDomainDisabled
        InitialDomain             = [bool]$_.InitialDomain
    }
})

$connectors = @(Get-InboundConnector | ForEach-Object {
    [ordered]@{
        Name                     = $_.Name
        Enabled                  = [bool]$_.Enabled
        ConnectorType            = Get-Names $_.ConnectorType
        ConnectorSource          = Get-Names $_.ConnectorSource
        TlsSenderCertificateName = Get-Names $_.TlsSenderCertificateName
        SenderIPAddresses        = @($_.SenderIPAddresses | ForEach-Object { $_.ToString() })
        SenderDomains            = @($_.SenderDomains | ForEach-Object { $_.ToString() })
        RequireTls               = [bool]$_.RequireTls
        RestrictDomainsToCertificate = [bool]$_.RestrictDomainsToCertificate
        RestrictDomainsToIPAddresses = [bool]$_.RestrictDomainsToIPAddresses
    }
})

$org = Get-OrganizationConfig
$transport = Get-TransportConfig

$export = [ordered]@{
    ExportedAt         = (Get-Date).ToUniversalTime().ToString("o")
    AcceptedDomains    = $domains
    InboundConnectors  = $connectors
    OrganizationConfig = [ordered]@{ RejectDirectSend = [bool]$org.RejectDirectSend }
    TransportConfig    = [ordered]@{ SmtpClientAuthenticationDisabled = [bool]$transport.SmtpClientAuthenticationDisabled }
}

$json = ConvertTo-Json -InputObject $export -Depth 5
# Out-File and Set-Content on Windows PowerShell 5 write UTF-16 or a BOM:
# write UTF-8 without a BOM the same way on every version.
$full = if ([System.IO.Path]::IsPathRooted($Path)) { $Path } else { Join-Path (Get-Location) $Path }
[System.IO.File]::WriteAllText($full, $json, (New-Object System.Text.UTF8Encoding($false)))
Write-Host "wrote ${full}: $($domains.Count) accepted domains, $($connectors.Count) inbound connectors"
