# GitHub Actions reaches AWS through OIDC: no stored keys. Each deploy role
# trusts tokens whose audience is STS and whose subject is exactly
# repo:<owner>/<name>:environment:<env>, so only jobs that run in that GitHub
# environment (with its protection rules and reviewers) can assume it.

locals {
  issuer_host = "token.actions.githubusercontent.com"
}

resource "aws_iam_openid_connect_provider" "github" {
  count          = var.create_provider ? 1 : 0
  url            = "https://${local.issuer_host}"
  client_id_list = ["sts.amazonaws.com"]
  tags           = var.tags
}

data "aws_iam_openid_connect_provider" "github" {
  count = var.create_provider ? 0 : 1
  url   = "https://${local.issuer_host}"
}

locals {
  provider_arn = var.create_provider ? aws_iam_openid_connect_provider.github[0].arn : data.aws_iam_openid_connect_provider.github[0].arn

  role_policies = merge([
    for env, r in var.deploy_roles : {
      for p in r.policy_arns : "${env} ${p}" => { env = env, policy_arn = p }
    }
  ]...)
}

data "aws_iam_policy_document" "trust" {
  for_each = var.deploy_roles

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer_host}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer_host}:sub"
      values   = ["repo:${var.repository}:environment:${each.key}"]
    }
  }
}

resource "aws_iam_role" "deploy" {
  for_each             = var.deploy_roles
  name                 = each.value.role_name
  description          = "Deploys ${var.repository} to ${each.key} from GitHub Actions (environment ${each.key} only)."
  assume_role_policy   = data.aws_iam_policy_document.trust[each.key].json
  max_session_duration = var.max_session_seconds
  permissions_boundary = var.permissions_boundary_arn
  tags                 = merge(var.tags, { GitHubEnvironment = each.key })
}

resource "aws_iam_role_policy_attachment" "deploy" {
  for_each   = local.role_policies
  role       = aws_iam_role.deploy[each.value.env].name
  policy_arn = each.value.policy_arn
}
