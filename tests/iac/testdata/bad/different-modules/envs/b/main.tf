module "network" {
  source = "../../modules/net2"
}

module "extra" {
  source = "git::https://example.com/x.git"
}
