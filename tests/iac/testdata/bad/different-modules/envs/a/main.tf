module "network" {
  source = "../../modules/network"
}

module "registry" {
  source = "../../modules/registry"
}
