resource "aws_lb" "this" {
  name            = "x"
  security_groups = [aws_security_group.alb.id]
}

resource "aws_security_group" "alb" {
  name = "alb"

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    from_port   = 8080
    to_port     = 8080
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "instances" {
  name = "instances"

  ingress {
    from_port        = 22
    to_port          = 22
    protocol         = "tcp"
    cidr_blocks      = ["10.0.0.0/8", "0.0.0.0/0"]
    ipv6_cidr_blocks = []
  }

  ingress {
    from_port       = 9898
    to_port         = 9898
    protocol        = "tcp"
    security_groups = [aws_security_group.alb.id]
  }
}

resource "aws_vpc_security_group_ingress_rule" "ssh" {
  security_group_id = aws_security_group.instances.id
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv6         = "::/0"
}

resource "aws_vpc_security_group_ingress_rule" "http" {
  security_group_id = aws_security_group.alb.id
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "all_ports" {
  security_group_id = aws_security_group.alb.id
  ip_protocol       = "tcp"
  from_port         = 0
  to_port           = 65535
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_security_group_rule" "legacy" {
  type              = "ingress"
  security_group_id = aws_security_group.instances.id
  protocol          = "tcp"
  from_port         = 9898
  to_port           = 9898
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_security_group_rule" "egress_is_fine" {
  type              = "egress"
  security_group_id = aws_security_group.instances.id
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_blocks       = ["0.0.0.0/0"]
}
